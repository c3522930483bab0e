"""The conversation engine: one incoming event in, replies out, state saved.

Every event runs in one short database transaction: the event's platform id is recorded (a repeat is
dropped, even after a restart), the person with their conversation and roles is loaded in one
statement (their row locked on PostgreSQL, so several bot processes take a person's events in turn),
the flow runs, the state is saved and — for a messenger — the answers are written to the outbox. It all
commits together or not at all: an event is either handled with its answers queued, or not taken (its
platform sends it again). The person's row is written only when something in it changed or went stale.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
import re
import weakref
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.exc import DBAPIError, IntegrityError

from bot.core import payloads
from bot.core.context import Context, Stale
from bot.core.events import Incoming, Reply
from bot.core.feature import MenuEntry
from bot.core.privacy import Privacy
from bot.core.router import NEUTRAL, Routes
from bot.core.services import Services
from bot.delivery import outbox
from bot.delivery import replies as codec
from bot.i18n import Translator, normalize_lang
from storage import inbox, people
from storage.db import Database, Unavailable, is_sqlite, unavailable
from storage.types import clock_scope

log = logging.getLogger(__name__)

# Telegram's rule for /start payloads; Viber contexts are held to the same so one QR scheme serves both.
DEEPLINK_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
FREE_TEXT = "search"  # the text input that takes typed text when nothing else is awaited
MENU = "menu"
SEEN_EVERY = dt.timedelta(minutes=10)  # users.last_seen_at is refreshed at most this often…
WRITTEN_EVERY = dt.timedelta(minutes=1)  # …and last_written_at (Viber's free session: late is the safe side)
# Control characters other than tab and newlines, and lone surrogates (not text: they break JSON and UTF-8).
UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")

FirstContact = Callable[[Context], Awaitable[None]]


def clean(incoming: Incoming) -> Incoming:
    """What a person typed, without characters that are not text."""
    if UNSAFE.search(incoming.text) or UNSAFE.search(incoming.payload):
        return dataclasses.replace(incoming, text=UNSAFE.sub("", incoming.text), payload=UNSAFE.sub("", incoming.payload))
    return incoming


@dataclasses.dataclass
class Handled:
    """What became of one event."""

    replies: list[Reply]
    repeat: bool = False  # taken before: nothing was done
    queued: outbox.Claimed | None = None  # the answers, claimed for this process to send now
    behind: int | None = None  # …or queued behind this person's earlier messages (their user id)
    forgotten: bool = False  # the person is gone: the answers could not be queued for them


class Engine:
    def __init__(
        self,
        db: Database,
        services: Services,
        routes: Routes,
        *,
        privacy: Privacy,
        menu: tuple[MenuEntry, ...] = (),
        first_contact: FirstContact | None = None,
        raise_errors: bool = False,
    ):
        for needed in (MENU, "back"):
            if needed not in routes.actions:
                raise ValueError(f"no feature registers the {needed!r} action")
        self.db = db
        self.services = services
        self.routes = routes
        self.privacy = privacy
        self.menu = tuple(sorted(menu, key=lambda e: e.order))
        self.first_contact = first_contact
        # Tests set this so a crash in a flow fails the test instead of passing as "the bot answered".
        self.raise_errors = raise_errors
        self._locks: weakref.WeakValueDictionary[tuple[str, str], asyncio.Lock] = weakref.WeakValueDictionary()
        self._lock_rows = not is_sqlite(db.url)  # SQLite: the process's one connection takes turns anyway

    def is_action(self, name: str) -> bool:
        return name in self.routes.actions

    def _lock_for(self, incoming: Incoming) -> asyncio.Lock:
        key = (incoming.channel, incoming.user_id)
        lock = self._locks.get(key)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[key] = lock
        return lock

    async def handle(self, incoming: Incoming) -> list[Reply]:
        """Answer now (the console, tests): the replies are returned, nothing is queued."""
        return (await self.process(incoming)).replies

    async def process(self, incoming: Incoming, *, key: str | None = None, meta: dict[str, Any] | None = None,
                      queue: bool = False, lease: float | None = None,
                      kinds: tuple[str, ...] | None = None) -> Handled:
        """Handle one event. `key`: the platform's id of it (recorded; a repeat is dropped). `queue`: the
        answers go to the outbox in the same transaction (claimed for this process when `lease` is given,
        by a worker delivering `kinds`).
        Raises `Unavailable` when the database cannot take it: the caller must not acknowledge the event."""
        incoming = clean(incoming)
        self.db.guard()
        with clock_scope(self.services.clock.now):
            async with self._lock_for(incoming):
                for attempt in range(3):
                    try:
                        return await self._handle_once(incoming, key, meta or {}, queue, lease, kinds)
                    except Unavailable:
                        raise
                    except IntegrityError:
                        # Two processes created the same new person at once: the other won; try again.
                        if attempt == 2:
                            return await self._failed(incoming, key, meta or {}, queue, lease)
                    except DBAPIError as exc:
                        if exc.connection_invalidated and attempt < 2:
                            continue  # a pooled connection had died (database restarted): a fresh one
                        if unavailable(exc):
                            raise Unavailable(type(exc.orig).__name__) from None
                        return await self._failed(incoming, key, meta or {}, queue, lease)
                    except Exception:
                        return await self._failed(incoming, key, meta or {}, queue, lease)
        return Handled([])  # unreachable

    async def _handle_once(self, incoming: Incoming, key: str | None, meta: dict[str, Any], queue: bool,
                           lease: float | None, kinds: tuple[str, ...] | None) -> Handled:
        now = self.services.clock.now()
        async with self.db.sessions() as session, session.begin():
            if key is not None and not await inbox.record(session, incoming.channel, key, now):
                return Handled([], repeat=True)
            person = await people.load_person(session, incoming.channel, incoming.user_id, lock=self._lock_rows)
            if person is None:
                lang = normalize_lang(incoming.lang_hint) if incoming.lang_hint else self.services.settings.default_lang
                person = await people.create_person(session, incoming.channel, incoming.user_id, lang, now)
            user = person.user
            if now - user.last_seen_at > SEEN_EVERY:
                user.last_seen_at = now
            if incoming.written and (user.last_written_at is None or now - user.last_written_at > WRITTEN_EVERY):
                user.last_written_at = now
            if user.blocked_at is not None:
                user.blocked_at = None  # they wrote to us, so they can be written to
            stored = person.state
            stored["flows"] = dict(stored.get("flows") or {})
            screen_no = int(stored.get("screen", 0))
            ctx = Context(
                services=self.services, routes=self.routes, session=session, incoming=incoming, user=user,
                stored=stored, roles=person.roles, screen=payloads.to_base36(screen_no + 1), menu=self.menu,
                forget=self.privacy.forget, free_text=self._free_text,
            )
            if (person.new or not user.privacy_seen) and self.first_contact is not None:
                user.privacy_seen = True
                await self.first_contact(ctx)
            try:
                await self._dispatch(ctx, screen_no)
            except Stale:
                await self._stale_button(ctx)

            queued = None
            if ctx.forgotten:
                session.expunge_all()  # the rows are gone; do not write them back
            else:
                stored["screen"] = screen_no + 1
                await people.save_state(session, person, stored, now)
                if queue and ctx.replies:
                    queued = await outbox.enqueue_reply(session, user_id=user.id, channel=incoming.channel,
                                                        replies=codec.encode(ctx.replies), meta=meta, key=key, now=now,
                                                        lease=lease, person=user, kinds=kinds)
        if ctx.forgotten:
            await self.db.checkpoint()  # what was deleted must not linger in SQLite's write-ahead log
        behind = user.id if queue and lease is not None and queued is None and ctx.replies and not ctx.forgotten else None
        return Handled(ctx.replies, queued=queued, behind=behind, forgotten=ctx.forgotten)

    async def _failed(self, incoming: Incoming, key: str | None, meta: dict[str, Any], queue: bool,
                      lease: float | None) -> Handled:
        """A flow crashed: the person is told, and the event counts as taken (it would crash again)."""
        if self.raise_errors:
            raise
        log.exception("flow failed for a %s event on %s", incoming.kind, incoming.channel)
        replies = self._failure_replies(incoming)
        now = self.services.clock.now()
        async with self.db.sessions() as session, session.begin():
            if key is not None and not await inbox.record(session, incoming.channel, key, now):
                return Handled([], repeat=True)
            queued = None
            if queue:
                person = await people.load_person(session, incoming.channel, incoming.user_id, lock=self._lock_rows)
                if person is None:
                    person = await people.create_person(session, incoming.channel, incoming.user_id,
                                                        self.services.settings.default_lang, now)
                queued = await outbox.enqueue_reply(session, user_id=person.user.id, channel=incoming.channel,
                                                    replies=codec.encode(replies), meta=meta, key=key, now=now,
                                                    lease=lease, person=person.user)
        return Handled(replies, queued=queued)

    # --- dispatch ---------------------------------------------------------------------
    def _enter(self, ctx: Context, owner: str) -> None:
        """The event goes to `owner`'s feature: what other features were in the middle of is dropped."""
        if owner != NEUTRAL:
            ctx._flows.leave_all_but(owner)

    async def _dispatch(self, ctx: Context, screen_no: int) -> None:
        inc = ctx.incoming
        if inc.kind == "start":
            ctx.expect(None)
            if inc.payload:
                await self._deeplink(ctx, inc.payload)
            else:
                self._enter(ctx, self.routes.actions[MENU].owner)
                await ctx.show(MENU)
        elif inc.kind == "command":
            entry = self.routes.commands.get(inc.command)
            ctx.expect(None)
            if entry is None:
                await self._unknown_command(ctx)
            else:
                self._enter(ctx, entry.owner)
                await entry.handler(ctx)
        elif inc.kind == "button":
            await self._button(ctx, inc.payload, screen_no)
        elif inc.kind == "media":
            await self._unreadable(ctx)
        elif inc.kind == "location":
            await self._location(ctx)
        else:
            await self._text(ctx, inc.text)

    async def _deeplink(self, ctx: Context, payload: str) -> None:
        prefix, _, rest = payload.partition("_")
        entry = self.routes.deeplinks.get(prefix) if DEEPLINK_RE.match(payload) else None
        if entry is not None:
            self._enter(ctx, entry.owner)
        if entry is None or not await entry.handler(ctx, rest):
            await self._stale_link(ctx)

    async def _button(self, ctx: Context, raw: str, screen_no: int) -> None:
        try:
            p = payloads.decode(raw)
        except payloads.PayloadError:
            await self._stale_button(ctx)
            return
        action = self.routes.actions.get(p.action)
        if action is None or (action.stateful and p.screen != payloads.to_base36(screen_no)) or not action.accepts(len(p.args)):
            await self._stale_button(ctx)
            return
        self._enter(ctx, action.owner)
        ctx.expect(None)  # a press answers the screen, not the question it asked; the next screen asks again
        ok = await ctx.show(action.name, *p.args) if action.screen else await action.handler(ctx, *p.args) is not False
        if not ok:
            await self._stale_button(ctx)

    async def _text(self, ctx: Context, text: str) -> None:
        expecting = ctx.expecting
        entry = self.routes.text_inputs.get(expecting) if expecting else None
        if entry is not None:
            self._enter(ctx, entry.owner)
            # False: "this is not what I asked for, it is a new question" — the search takes it.
            if await entry.handler(ctx, text) is False:
                await self._free_text(ctx, text)
        else:
            await self._free_text(ctx, text)

    async def _free_text(self, ctx: Context, text: str) -> None:
        ctx.expect(None)
        entry = self.routes.text_inputs.get(FREE_TEXT)
        if entry is None:
            await ctx.show(MENU)
            return
        self._enter(ctx, entry.owner)
        await entry.handler(ctx, text)

    async def _location(self, ctx: Context) -> None:
        expecting = ctx.expecting
        entry = self.routes.location_inputs.get(expecting) if expecting else None
        if entry is None:
            ctx.say(ctx._("Thank you, but I do not need your location here."))
            await self._reprompt_or_menu(ctx)
            return
        self._enter(ctx, entry.owner)
        await entry.handler(ctx, ctx.incoming.location)

    # --- answers of the core itself -----------------------------------------------------
    async def _unreadable(self, ctx: Context) -> None:
        """A photo, voice message, sticker or file where the bot can only read text."""
        ctx.say(ctx._("I can read only text. Please type your question or use the buttons."))
        await self._reprompt_or_menu(ctx)

    async def _reprompt_or_menu(self, ctx: Context) -> None:
        if ctx.expecting:  # something is awaited: keep waiting for it, with a way out
            ctx.say(ctx._("I am still waiting for your answer to the question above."), [ctx.nav_row()])
        else:
            await ctx.show(MENU)

    async def _stale_button(self, ctx: Context) -> None:
        ctx.say(ctx._("This menu is out of date. Here is the main menu — please choose again."))
        ctx.expect(None)
        await ctx.show(MENU)

    async def _stale_link(self, ctx: Context) -> None:
        ctx.say(ctx._("This link is out of date or incomplete. Here is the main menu."))
        await ctx.show(MENU)

    async def _unknown_command(self, ctx: Context) -> None:
        ctx.say(ctx._("I do not know this command. Here is what I can do:"))
        help_screen = self.routes.actions.get("help")
        await ctx.show("help" if help_screen else MENU)

    def _failure_replies(self, incoming: Incoming) -> list[Reply]:
        lang = normalize_lang(incoming.lang_hint) if incoming.lang_hint else self.services.settings.default_lang
        _ = Translator(lang).gettext
        return [
            Reply(
                _("Sorry, something went wrong on our side. Nothing you entered is lost. Please try again or send /start.")
            )
        ]
