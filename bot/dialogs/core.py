"""The conversation core: one incoming event in, replies out, state saved.

Every event runs in one database transaction: the person's row and their
conversation state are loaded (locked on PostgreSQL, so several bot processes
serialise per person), the flow runs, the state is saved. A restart loses nothing.
"""

from __future__ import annotations

import asyncio
import logging
import re
import weakref
from typing import Any

from sqlalchemy.exc import IntegrityError

from bot.config import Settings
from bot.dialogs import payloads
from bot.dialogs.context import Context
from bot.dialogs.events import Incoming, Reply
from bot.dialogs.router import Router
from bot.i18n import normalize_lang
from storage import repo
from storage.db import Database, is_sqlite
from storage.models import utcnow

log = logging.getLogger(__name__)

# Telegram's rule for /start payloads; Viber contexts are held to the same so one QR scheme serves both.
DEEPLINK_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class BotCore:
    def __init__(self, db: Database, settings: Settings, kb: Any = None, search: Any = None, router: Router | None = None):
        from bot.dialogs.flows import build_router  # flows import this module's types

        self.db = db
        self.settings = settings
        self.kb = kb
        self.search = search
        self.router = router or build_router()
        self._locks: weakref.WeakValueDictionary[tuple[str, str], asyncio.Lock] = weakref.WeakValueDictionary()
        self._lock_rows = not is_sqlite(db.url)  # SQLite serialises writers by itself

    def _lock_for(self, incoming: Incoming) -> asyncio.Lock:
        key = (incoming.channel, incoming.user_id)
        lock = self._locks.get(key)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[key] = lock
        return lock

    async def handle(self, incoming: Incoming) -> list[Reply]:
        async with self._lock_for(incoming):
            for attempt in range(3):
                try:
                    return await self._handle_once(incoming)
                except IntegrityError:
                    # Two processes created the same new user at once: the other won; retry.
                    if attempt == 2:
                        raise
                except Exception:
                    log.exception("flow failed for a %s event on %s", incoming.kind, incoming.channel)
                    return self._failure_replies(incoming)
        return []  # unreachable

    async def _handle_once(self, incoming: Incoming) -> list[Reply]:
        async with self.db.sessions() as session, session.begin():
            user, created = await repo.get_or_create_user(session, incoming.channel, incoming.user_id)
            if created:
                user.lang = normalize_lang(incoming.lang_hint) if incoming.lang_hint else self.settings.default_lang
            user.last_seen_at = utcnow()
            if incoming.written:
                user.last_written_at = user.last_seen_at
            user.blocked_at = None  # they wrote to us, so they can be written to
            conv = await repo.load_state(session, user.id, lock=self._lock_rows)
            state = dict(conv.state or {})
            screen_no = int(state.get("screen", 0))
            roles = await repo.roles_of(session, user.id)
            ctx = Context(self, session, incoming, user, state, roles, payloads.to_base36(screen_no + 1))

            await self._dispatch(ctx, screen_no, first_contact=created or not user.privacy_seen)

            if ctx.forgotten:
                session.expunge_all()  # the rows are gone; do not write them back
            else:
                ctx.state["screen"] = screen_no + 1
                conv.state = ctx.state
            return ctx.replies

    async def _dispatch(self, ctx: Context, screen_no: int, first_contact: bool) -> None:
        inc = ctx.incoming
        router = self.router
        if first_contact and not ctx.user.privacy_seen:
            ctx.user.privacy_seen = True
            await router.commands["privacy"](ctx, True)

        if inc.kind == "start":
            ctx.expect(None)
            if inc.payload:
                await self._deeplink(ctx, inc.payload)
            else:
                await ctx.show("menu")
        elif inc.kind == "command":
            handler = router.commands.get(inc.command)
            ctx.expect(None)
            if handler is None:
                await router.commands["unknown"](ctx)
            else:
                await handler(ctx)
        elif inc.kind == "button":
            await self._button(ctx, inc.payload, screen_no)
        else:
            await self._text(ctx, inc.text)

    async def _deeplink(self, ctx: Context, payload: str) -> None:
        prefix, _, rest = payload.partition("_")
        handler = self.router.deeplinks.get(prefix) if DEEPLINK_RE.match(payload) else None
        if handler is None or not await handler(ctx, rest):
            await self.router.commands["stale_link"](ctx)

    async def _button(self, ctx: Context, raw: str, screen_no: int) -> None:
        try:
            p = payloads.decode(raw)
        except payloads.PayloadError:
            p = None
        action = self.router.actions.get(p.action) if p else None
        if (
            action is None
            or (action.stateful and p.screen != payloads.to_base36(screen_no))
            or not await self._run_action(ctx, action, p.args)
        ):
            await self.router.commands["stale_button"](ctx)

    async def _run_action(self, ctx: Context, action, args: tuple[str, ...]) -> bool:
        """Run a button's action; False when its arguments no longer make sense."""
        if not action.accepts(len(args)):
            return False
        if action.screen:
            return await ctx.show(action.name, *args)
        return await action.handler(ctx, *args) is not False

    async def _text(self, ctx: Context, text: str) -> None:
        expecting = ctx.state.get("expect")
        handler = self.router.text_inputs.get(expecting) if expecting else None
        if handler is not None:
            await handler(ctx, text)
        else:
            ctx.expect(None)
            await self.router.text_inputs["search"](ctx, text)

    def _failure_replies(self, incoming: Incoming) -> list[Reply]:
        from bot.i18n import Translator

        _ = Translator(normalize_lang(incoming.lang_hint) if incoming.lang_hint else self.settings.default_lang).gettext
        return [
            Reply(
                _("Sorry, something went wrong on our side. Nothing you entered is lost. Please try again or send /start.")
            )
        ]
