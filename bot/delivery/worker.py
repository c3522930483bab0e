"""The delivery worker: claim due outbox rows, render them, send them, record the outcome.

Infrastructure only: how a row of some kind looks (a renderer) and what follows its sending (a
settled hook) come from the features, handed in by the composition root (bot/app.py). A row of a
kind nobody renders is an error, logged and left visibly failed — never silently dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from typing import Any

from bot.core.events import Reply
from bot.core.feature import RenderContext, Renderer, SettledHook
from bot.core.reach import Reachability
from bot.core.services import Services
from bot.delivery import outbox
from bot.delivery.pacing import Pacer
from bot.delivery.sender import Outcome, Pacing, Sender
from bot.i18n import Translator
from storage.models import User
from storage.types import clock_scope

log = logging.getLogger(__name__)

UNREACHABLE = "recipient blocked the bot or left"


async def render_text(rc: RenderContext, payload: dict[str, Any]) -> list[Reply] | None:
    """Plain text, already in the recipient's language (operator notices, tests)."""
    return [Reply(str(payload.get("text", "")))] if payload.get("text") else None


BUILT_IN: dict[str, Renderer] = {"text": render_text}


def backoff(attempt: int) -> float:
    return float(min(300, 2**attempt))


class DeliveryWorker:
    def __init__(
        self,
        db: Any,
        services: Services,
        senders: list[Sender],
        *,
        renderers: Mapping[str, Renderer],
        settled: Mapping[str, SettledHook],
        reach: Reachability,
        pacing: Mapping[str, Pacing] | None = None,
        batch: int = 30,
        lease: float | None = None,
        max_attempts: int = 8,
        poll: float | None = None,
    ):
        settings = services.settings
        self.db = db
        self.services = services
        self.clock = services.clock
        self.senders = {s.channel: s for s in senders}
        # A sender that reaches only some people (the console: the person typing in this process).
        only = {s.channel: getattr(s, "recipients", None) for s in senders}
        self.recipients = {channel: ids for channel, ids in only.items() if ids is not None}
        self.renderers = {**BUILT_IN, **renderers}
        self.settled = dict(settled)
        self.reach = reach
        self.batch, self.max_attempts = batch, max_attempts
        self.poll = poll if poll is not None else settings.delivery_poll_seconds
        self.lease = lease if lease is not None else settings.delivery_lease_seconds
        self.pacers = {
            channel: Pacer(db, channel, p.rate, per_chat_interval=p.per_chat_interval, clock=self.clock)
            for channel, p in (pacing or {}).items() if channel in self.senders
        }

    async def run_once(self) -> int:
        """Claim one batch of due messages and send them, paced to the platforms' limits."""
        with clock_scope(self.clock.now):
            return await self._run_once()

    async def _run_once(self) -> int:
        rows = await outbox.claim(self.db, list(self.senders), self.batch, self.lease, now=self.clock.now(),
                                  recipients=self.recipients)
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
        delay = at - self.clock.time()
        if delay > 0:
            await self.clock.sleep(delay)
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
        renderer = self.renderers.get(row.kind)
        if renderer is None:
            log.error("outbox row %s has kind %r that no feature renders; marked failed", row.id, row.kind)
            await outbox.settle(self.db, row.id, "failed", error=f"unknown message kind {row.kind!r}")
            return None
        async with self.db.sessions() as session:
            user = await session.get(User, row.user_id)
            gone = user is None or user.blocked_at is not None
            replies = None
            if not gone:
                rc = RenderContext(session, self.services, user, Translator(user.lang or "uk"))
                replies = await renderer(rc, row.payload)
            external_id = "" if gone else user.external_id
        if gone:
            # Known to be unreachable already (the rule ran when that was found): fail it, and let
            # the feature record why (a reminder occurrence shows "blocked").
            await self._settle(row, Outcome("blocked", error=UNREACHABLE), known=True)
            return None
        if not replies:
            await outbox.settle(self.db, row.id, "cancelled", error="nothing to send any more")
            return None
        try:
            result = await self.senders[row.channel].send(external_id, replies)
        except Exception as exc:  # a sender bug: retry later rather than lose the message
            log.exception("sender for %s failed", row.channel)
            result = Outcome("retry", error=type(exc).__name__)
        await self._settle(row, result)
        return result

    async def _settle(self, row: outbox.Claimed, result: Outcome, known: bool = False) -> None:
        retry = result.status == "retry" and row.attempts < self.max_attempts
        if result.status == "retry" and not retry:
            result = Outcome("failed", error=result.error or "gave up after retries")
        async with self.db.sessions() as session, session.begin():
            if retry:
                await outbox.settle_in(session, row.id, "pending", error=result.error,
                                       retry_in=max(result.retry_after, backoff(row.attempts)), now=self.clock.now())
                return
            state = "sent" if result.status == "sent" else "failed"
            error = "blocked by the user" if result.status == "blocked" and not known else result.error
            if not await outbox.settle_in(session, row.id, state, error=error, billing=result.billing,
                                          now=self.clock.now()):
                return  # someone else holds it now
            hook = self.settled.get(row.kind)
            if hook is not None:
                await hook(session, self.services, row, result)
            if result.status == "blocked" and not known:
                await self.reach.lost(session, row.user_id, f"blocked ({row.channel})")
