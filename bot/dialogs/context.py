"""What a flow handler works with: the person, their language and state, and the replies."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.dialogs import payloads
from bot.dialogs.events import Attachment, Button, Incoming, Reply
from bot.i18n import Translator
from storage.models import User

if TYPE_CHECKING:
    from bot.dialogs.core import BotCore

MAX_STACK = 12


class Context:
    def __init__(
        self,
        core: BotCore,
        session: AsyncSession,
        incoming: Incoming,
        user: User,
        state: dict[str, Any],
        roles: set[str],
        screen: str,
    ):
        self.core = core
        self.session = session
        self.incoming = incoming
        self.user = user
        self.state = state
        self.roles = roles
        self.screen = screen  # nonce put on this event's stateful buttons
        self.replies: list[Reply] = []
        self.forgotten = False
        self.set_lang(user.lang or core.settings.default_lang)

    # --- language --------------------------------------------------------------------
    def set_lang(self, lang: str) -> None:
        self.t = Translator(lang)
        self.lang = self.t.lang
        self._ = self.t.gettext
        self.ngettext = self.t.ngettext

    # --- shortcuts to shared services -----------------------------------------------------
    @property
    def kb(self):
        return self.core.kb

    @property
    def search(self):
        return self.core.search

    # --- replies ---------------------------------------------------------------------
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
        spec = self.core.router.actions.get(action)
        if spec is None:
            raise KeyError(f"no action {action!r}")
        return Button(label, payloads.encode(action, args, self.screen if spec.stateful else None))

    def url_btn(self, label: str, url: str) -> Button:
        return Button(label, url=url)

    def nav_row(self, back: bool = True) -> list[Button]:
        """"Back" (when there is somewhere to go back to) and "Main menu": on every screen."""
        _ = self._
        row = []
        if back and len(self.state.get("stack", [])) > 1:
            row.append(self.btn(_("⬅️ Back"), "back"))
        row.append(self.btn(_("Main menu 🏠"), "menu"))
        return row

    # --- navigation ------------------------------------------------------------------
    async def show(self, action: str, *args: str) -> bool:
        """Open a screen, remembering it so "Back" returns here.

        Returns False (and remembers nothing) when the screen cannot be shown, e.g. a
        service that was removed from the knowledge base since the button was sent.
        """
        spec = self.core.router.actions[action]
        stack = self.state.setdefault("stack", [])
        before = list(stack)
        if spec.screen:
            route = [action, *args]
            if action == "menu":
                stack.clear()
            if not stack or stack[-1] != route:
                stack.append(route)
            del stack[:-MAX_STACK]
        if await spec.handler(self, *args) is False:
            stack[:] = before
            return False
        return True

    async def back(self) -> None:
        stack = self.state.setdefault("stack", [])
        if stack:
            stack.pop()
        if not stack:
            await self.show("menu")
            return
        action, *args = stack[-1]
        spec = self.core.router.actions.get(action)
        if spec is None:  # a screen that no longer exists in this version
            await self.show("menu")
            return
        await spec.handler(self, *args)

    def expect(self, what: str | None) -> None:
        """Route the next free text to the `what` text-input handler (None: to search)."""
        if what:
            self.state["expect"] = what
        else:
            self.state.pop("expect", None)
