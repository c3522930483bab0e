"""The one rule for a person the bot can no longer reach.

Whatever discovered it — a Telegram 403 on a reply or on a queued message of any kind, a Viber
`unsubscribed` callback or "not subscribed" answer — the same happens, once:
1. the person is marked unreachable (`users.blocked_at`);
2. everything still queued for them is cancelled;
3. every feature is told (`Feature.on_unreachable`), e.g. reminders close the person's links,
   cancel scheduled occurrences and tell each social worker.
Running it again for a person already marked does nothing, so a worker is told once however many
paths find out. The person writing to the bot again clears the mark (bot/core/engine.py).
"""

from __future__ import annotations

import logging

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.feature import UnreachableHook
from bot.core.services import Services
from bot.delivery import outbox
from storage import people
from storage.db import rowcount
from storage.models import User

log = logging.getLogger(__name__)


class Reachability:
    def __init__(self, services: Services, hooks: list[UnreachableHook]):
        self.services = services
        self.hooks = list(hooks)

    async def lost(self, session: AsyncSession, user_id: int, reason: str) -> bool:
        """Apply the rule in the caller's transaction. True if this call marked the person."""
        marked = await session.execute(
            update(User).where(User.id == user_id, User.blocked_at.is_(None))
            .values(blocked_at=self.services.clock.now())
        )
        if not rowcount(marked):
            return False  # already known (by this or another process): the rule ran then
        cancelled = await outbox.cancel_pending_for(session, user_id, reason)
        for hook in self.hooks:
            await hook(session, self.services, user_id, reason)
        log.info("a person can no longer be reached (%s); %d queued message(s) cancelled", reason, cancelled)
        return True

    async def lost_external(self, session: AsyncSession, channel: str, external_id: str, reason: str) -> bool:
        user = await people.find_user(session, channel, external_id)
        return False if user is None else await self.lost(session, user.id, reason)
