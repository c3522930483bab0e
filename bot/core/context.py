"""What a flow handler works with — and nothing more.

A flow gets the shared services (settings, knowledge base, search, clock), its database session,
the person (their row, language and roles), the event, typed state of its own (core/state.py), and
ways to answer: say, buttons, show a screen, go back, await typed input. It does not get the
engine, the router's tables or other features' state.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import activity, payloads
from bot.core.events import Attachment, Button, Incoming, Reply
from bot.core.state import FlowState, FlowStates
from bot.i18n import Translator
from storage.models import User

if TYPE_CHECKING:
    from bot.core.feature import MenuEntry
    from bot.core.router import Routes
    from bot.core.services import Services

MAX_STACK = 12
S = TypeVar("S", bound=FlowState)


class Stale(Exception):
    """Raised by `ctx.back()` when the screen to return to refuses: the engine answers as for a stale button."""


class Context:
    def __init__(
        self,
        *,
        services: Services,
        routes: Routes,
        session: AsyncSession,
        incoming: Incoming,
        user: User,
        stored: dict[str, Any],
        roles: set[str],
        screen: str,
        menu: tuple[MenuEntry, ...] = (),
        forget: Callable[[AsyncSession, int], Awaitable[None]] | None = None,
        free_text: Callable[[Context, str], Awaitable[None]] | None = None,
    ):
        self.services = services
        self.session = session
        self.incoming = incoming
        self.user = user
        self.roles = roles
        self.screen = screen  # nonce put on this event's stateful buttons
        self.menu_entries = menu
        self.replies: list[Reply] = []
        self.forgotten = False
        self._routes = routes
        self._stored = stored
        self._flows = FlowStates(stored.setdefault("flows", {}))
        self._forget = forget
        self._free_text = free_text
        self.set_lang(user.lang or services.settings.default_lang)
        if stored.get("day") != (today := self.local_day().isoformat()):  # the person's first event today
            stored["day"] = today
            self.count("conversation")

    # --- shared services --------------------------------------------------------------
    @property
    def settings(self):
        return self.services.settings

    @property
    def kb(self):
        return self.services.kb

    @property
    def search(self):
        return self.services.search

    def now(self) -> dt.datetime:
        return self.services.clock.now()

    def local_day(self) -> dt.date:
        """Today in the community's time zone."""
        return self.now().astimezone(ZoneInfo(self.settings.timezone)).date()

    def count(self, metric: str, key: str = "") -> None:
        """Count an anonymous event for the community's figures: the day, what, and a key — never who."""
        activity.record(self.session, self.local_day(), metric, key)

    # --- language ---------------------------------------------------------------------
    def set_lang(self, lang: str) -> None:
        self.t = Translator(lang)
        self.lang = self.t.lang
        self._ = self.t.gettext
        self.ngettext = self.t.ngettext

    # --- flow state -------------------------------------------------------------------
    def get(self, cls: type[S]) -> S | None:
        return self._flows.get(cls)

    def put(self, state: FlowState) -> None:
        self._flows.put(state)

    def drop(self, cls: type[FlowState]) -> None:
        self._flows.drop(cls)

    # --- replies ----------------------------------------------------------------------
    def say(
        self,
        text: str,
        buttons: list[list[Button]] | None = None,
        *,
        edit: bool = False,
        attachments: list[Attachment] | None = None,
    ) -> Reply:
        reply = Reply(text=text, buttons=buttons or [], attachments=attachments or [], edit=edit)
        self.replies.append(reply)
        return reply

    def btn(self, label: str, action: str, *args: str) -> Button:
        spec = self._routes.actions.get(action)
        if spec is None:
            raise KeyError(f"no action {action!r}")
        return Button(label, payloads.encode(action, args, self.screen if spec.stateful else None))

    def url_btn(self, label: str, url: str) -> Button:
        return Button(label, url=url)

    def location_btn(self, label: str) -> Button:
        return Button(label, request_location=True)

    def nav_row(self, back: bool = True) -> list[Button]:
        """"Back" (when there is somewhere to go back to) and "Main menu": on every screen."""
        _ = self._
        row = []
        if back and len(self._stack) > 1:
            row.append(self.btn(_("⬅️ Back"), "back"))
        row.append(self.btn(_("Main menu 🏠"), "menu"))
        return row

    # --- navigation -------------------------------------------------------------------
    @property
    def _stack(self) -> list[list[str]]:
        return self._stored.setdefault("stack", [])

    async def show(self, action: str, *args: str, replace: bool = False) -> bool:
        """Open a screen, remembering it so "Back" returns here (`replace`: instead of the current one).

        Returns False (and remembers nothing) when the screen cannot be shown, e.g. a
        service that was removed from the knowledge base since the button was sent.
        """
        spec = self._routes.actions[action]
        stack = self._stack
        before = list(stack)
        if spec.screen:
            route = [action, *args]
            if action == "menu":
                stack.clear()
            elif replace and stack:
                stack.pop()
            if not stack or stack[-1] != route:
                stack.append(route)
            del stack[:-MAX_STACK]
        if await spec.handler(self, *args) is False:
            stack[:] = before
            return False
        return True

    async def redraw(self) -> None:
        """Show the current screen (the latest in the Back history) again, below a notice."""
        if self._stack:
            action, *args = self._stack[-1]
            spec = self._routes.actions.get(action)
            if spec is not None and spec.accepts(len(args)) and await spec.handler(self, *args) is not False:
                return
        await self.show("menu")

    def forget_screens(self, action: str) -> None:
        """Take the latest run of `action` screens out of the Back history (the steps of a finished
        wizard), so "Back" from what follows does not lead into them."""
        stack = self._stack
        while stack and stack[-1][0] == action:
            stack.pop()

    async def back(self) -> None:
        stack = self._stack
        if stack:
            stack.pop()
        if not stack:
            await self.show("menu")
            return
        action, *args = stack[-1]
        spec = self._routes.actions.get(action)
        if spec is None or not spec.accepts(len(args)):  # a screen that no longer exists in this version
            raise Stale()
        if await spec.handler(self, *args) is False:
            stack.pop()
            raise Stale()

    def expect(self, what: str | None) -> None:
        """Route the next free text (or shared location) to the `what` input handler (None: to search)."""
        if what:
            self._stored["expect"] = what
        else:
            self._stored.pop("expect", None)

    @property
    def expecting(self) -> str | None:
        return self._stored.get("expect")

    # --- hand-offs to the core --------------------------------------------------------
    async def as_free_text(self, text: str) -> None:
        """Treat typed text as if nothing were awaited (a search, a number, a greeting…)."""
        self.expect(None)
        if self._free_text is not None:
            await self._free_text(self, text)

    async def forget_me(self) -> None:
        """Delete everything about this person (after they confirmed); the replies still go out."""
        if self._forget is None:
            raise RuntimeError("forgetting is not wired in")
        await self._forget(self.session, self.user.id)
        self.forgotten = True
