"""The delivery worker: claim due outbox rows, render them, send them, record the outcome."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from bot.config import Settings, get_settings
from bot.delivery import outbox
from bot.delivery.render import HOOKS, render
from bot.dialogs.events import Reply
from storage import repo
from storage.db import Database
from storage.models import User

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    status: Literal["sent", "blocked", "retry", "failed"]
    retry_after: float = 0.0  # for "retry": what the platform asked for (429), else 0
    error: str = ""
    billing: str | None = None  # Viber: "session" (free) or "paid" (outside a 24-hour session)


class Sender(Protocol):
    """One per channel: sends replies to a person and says how it went (never raises)."""

    channel: str

    async def send(self, external_id: str, replies: list[Reply]) -> Outcome: ...


def backoff(attempt: int) -> float:
    return float(min(300, 2**attempt))


class DeliveryWorker:
    def __init__(self, db: Database, kb: Any, senders: list[Sender], *, batch: int = 50, lease: float = 60.0,
                 max_attempts: int = 8, poll: float = 1.0, settings: Settings | None = None):
        self.settings = settings or get_settings()
        self.db = db
        self.kb = kb
        self.senders = {s.channel: s for s in senders}
        self.batch, self.lease, self.max_attempts, self.poll = batch, lease, max_attempts, poll

    async def run_once(self) -> int:
        rows = await outbox.claim(self.db, list(self.senders), self.batch, self.lease)
        for row in rows:
            await self._deliver(row)
        return len(rows)

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                busy = await self.run_once()
            except Exception:  # a database hiccup must not end delivery for good
                log.exception("delivery round failed")
                busy = 0
            if not busy:
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.poll)

    async def _deliver(self, row: outbox.Claimed) -> None:
        async with self.db.sessions() as session:
            user = await session.get(User, row.user_id)
            if user is None or user.blocked_at is not None:
                await outbox.settle(self.db, row.id, "failed", error="recipient blocked the bot or left")
                return
            replies = await render(session, self.kb, user, row.kind, row.payload)
            external_id = user.external_id
        if not replies:
            await outbox.settle(self.db, row.id, "cancelled", error="nothing to send any more")
            return
        try:
            result = await self.senders[row.channel].send(external_id, replies)
        except Exception as exc:  # a sender bug: retry later rather than lose the message
            log.exception("sender for %s failed", row.channel)
            result = Outcome("retry", error=type(exc).__name__)
        await self._settle(row, result, external_id)

    async def _settle(self, row: outbox.Claimed, result: Outcome, external_id: str) -> None:
        retry = result.status == "retry" and row.attempts < self.max_attempts
        if result.status == "retry" and not retry:
            result = Outcome("failed", error=result.error or "gave up after retries")
        async with self.db.sessions() as session, session.begin():
            if retry:
                await outbox.settle_in(session, row.id, "pending", error=result.error,
                                       retry_in=max(result.retry_after, backoff(row.attempts)))
                return
            state = "sent" if result.status == "sent" else "failed"
            error = "blocked by the user" if result.status == "blocked" else result.error
            if not await outbox.settle_in(session, row.id, state, error=error, billing=result.billing):
                return  # someone else holds it now
            if result.status == "blocked":
                await repo.mark_blocked(session, row.channel, external_id)
                await outbox.cancel_pending_for(session, row.user_id, "recipient blocked the bot")
            hook = HOOKS.get(row.kind)
            if hook is not None:
                await hook(session, row, result, self.settings)
