"""The delivery worker: claim due outbox rows, render them, send them, record the outcome."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from bot.config import Settings, get_settings
from bot.delivery import outbox
from bot.delivery.pacing import Pacer
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


def default_pacers(db: Database, settings: Settings, channels: list[str]) -> dict[str, Pacer]:
    pacers = {}
    if "telegram" in channels:
        pacers["telegram"] = Pacer(db, "telegram", settings.telegram_rate, per_chat_interval=1.0)
    return pacers


def backoff(attempt: int) -> float:
    return float(min(300, 2**attempt))


class DeliveryWorker:
    def __init__(self, db: Database, kb: Any, senders: list[Sender], *, batch: int = 30, lease: float | None = None,
                 max_attempts: int = 8, poll: float = 1.0, settings: Settings | None = None,
                 pacers: dict[str, Pacer] | None = None):
        self.settings = settings or get_settings()
        self.db = db
        self.kb = kb
        self.senders = {s.channel: s for s in senders}
        self.batch, self.max_attempts, self.poll = batch, max_attempts, poll
        self.lease = lease if lease is not None else self.settings.delivery_lease_seconds
        self.pacers = pacers if pacers is not None else default_pacers(db, self.settings, list(self.senders))

    async def run_once(self) -> int:
        """Claim one batch of due messages and send them, paced to the platforms' limits."""
        rows = await outbox.claim(self.db, list(self.senders), self.batch, self.lease)
        by_channel: dict[str, list[outbox.Claimed]] = {}
        for row in rows:
            by_channel.setdefault(row.channel, []).append(row)
        tasks = []
        for channel, group in by_channel.items():
            pacer = self.pacers.get(channel)
            if pacer is None:
                tasks += [self._deliver(row) for row in group]
                continue
            start = await pacer.reserve(len(group))
            for row, at in zip(group, pacer.schedule(start, [r.user_id for r in group]), strict=True):
                tasks.append(self._deliver_at(row, at, pacer))
        await asyncio.gather(*tasks)
        return len(rows)

    async def _deliver_at(self, row: outbox.Claimed, at: float, pacer: Pacer) -> None:
        delay = at - time.time()
        if delay > 0:
            await asyncio.sleep(delay)
        result = await self._deliver(row)
        if result is not None and result.status == "retry" and result.retry_after:
            await pacer.push_back(result.retry_after)

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

    async def _deliver(self, row: outbox.Claimed) -> Outcome | None:
        async with self.db.sessions() as session:
            user = await session.get(User, row.user_id)
            gone = user is None or user.blocked_at is not None
            replies = None if gone else await render(session, self.kb, user, row.kind, row.payload)
            external_id = None if gone else user.external_id
        if gone:
            await outbox.settle(self.db, row.id, "failed", error="recipient blocked the bot or left")
            return None
        if not replies:
            await outbox.settle(self.db, row.id, "cancelled", error="nothing to send any more")
            return None
        try:
            result = await self.senders[row.channel].send(external_id, replies)
        except Exception as exc:  # a sender bug: retry later rather than lose the message
            log.exception("sender for %s failed", row.channel)
            result = Outcome("retry", error=type(exc).__name__)
        await self._settle(row, result, external_id)
        return result

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
