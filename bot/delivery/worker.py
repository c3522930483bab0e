"""The delivery worker: claim outbox rows, render them, send them paced, record the outcome.

One path for everything a person receives: answers to what they wrote (rows the event itself queued,
usually handed straight to this worker) and proactive messages (status changes, reminders) share the
pacing, the order per person and the retry policy.

A pipeline, not a batch loop: rows are claimed while there is room, each row is delivered by its own
task, and a call that hangs holds up only its own row — its lease is renewed while it waits, and before
every part the worker checks the row is still its own (the fencing token), so a row is never sent by two
processes. A failure in the middle of a row is retried from the part that failed (progress is saved).
Stopping stops new calls, lets calls in flight finish (bounded) and gives back what was not sent.

Infrastructure only: how a row of some kind looks (a renderer) and what follows its sending (a settled
hook) come from the features, handed in by the composition root (bot/app.py). A row of a kind nobody
renders is an error, logged and left visibly failed — never silently dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import Mapping, MutableMapping
from typing import Any, cast

from sqlalchemy import Table, bindparam, update

from bot.core.events import Reply
from bot.core.feature import RenderContext, Renderer, SettledHook
from bot.core.reach import Reachability
from bot.core.services import Services
from bot.delivery import outbox
from bot.delivery import replies as codec
from bot.delivery.outbox import Claimed
from bot.delivery.pacing import Pacer
from bot.delivery.sender import Job, Outcome, Pacing, Sender
from bot.i18n import Translator
from storage.models import User
from storage.types import clock_scope

log = logging.getLogger(__name__)
_USERS = cast(Table, User.__table__)
_BUDGET = update(_USERS).where(_USERS.c.id == bindparam("uid")).values(send_after=bindparam("tat"))

UNREACHABLE = "recipient blocked the bot or left"
WAIT_OUT = 10.0  # a "retry after" up to this long is waited out with the row in hand (real seconds: the
WAIT_OUT_TIMES = 3  # platform's clock), this many times, before the row goes back to the queue


async def render_text(rc: RenderContext, payload: dict[str, Any]) -> list[Reply] | None:
    """Plain text, already in the recipient's language (operator notices, tests)."""
    return [Reply(str(payload.get("text", "")))] if payload.get("text") else None


BUILT_IN: dict[str, Renderer] = {"text": render_text}


def backoff(attempt: int) -> float:
    return float(min(300, 2**attempt))


class Fenced(Exception):
    """The row's claim is no longer this process's (its lease ran out and another process took it)."""


class Stopping(Exception):
    """This process is stopping: the row goes back to the queue, after the parts already delivered."""


class _Gate:
    """Awaited before every part of a row: the chat's and the bot's budgets, and the fencing check."""

    def __init__(self, worker: DeliveryWorker, row: Claimed, pacer: Pacer | None):
        self.worker, self.row, self.pacer = worker, row, pacer
        self.passed = 0  # parts let through in this attempt (each delivered but perhaps the last)
        self.done = 0  # parts delivered by earlier attempts with the row in hand
        self.tat = row.send_after
        self._call: int | None = None  # the part on its way (for the pacer's stall watch)

    @property
    def progress(self) -> int:
        """Parts surely delivered when the gate refuses the next one."""
        return self.row.progress + self.done + self.passed

    async def finish(self) -> None:
        """The part let through last has returned."""
        if self._call is not None and self.pacer is not None:
            call, self._call = self._call, None
            await self.pacer.finished(call)

    async def __call__(self) -> None:
        worker, clock, pacer = self.worker, self.worker.clock, self.pacer
        await self.finish()
        worker.check(self.row)
        if pacer is not None:
            while True:
                await pacer.unstalled()
                ready = pacer.chat_ready(self.tat, clock.time())
                if ready > clock.time():
                    await clock.sleep(ready - clock.time())
                slot = await pacer.slot(self.row.priority)
                if slot > clock.time():
                    await clock.sleep(slot - clock.time())
                worker.check(self.row)
                if not pacer.stalled() and pacer.on_time(slot):
                    break  # else the way is blocked, or the slot went by: wait, and take a fresh one
            self.tat = pacer.chat_sent(self.tat, max(clock.time(), slot))
            self._call = pacer.started()
        self.passed += 1


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
        kinds: tuple[str, ...] | None = None,
        max_rows: int = 64,
        drain: float | None = None,
        registry: MutableMapping[str, DeliveryWorker] | None = None,
    ):
        settings = services.settings
        self.db = db
        self.services = services
        self.clock = services.clock
        self.senders = {s.channel: s for s in senders}
        self.renderers = {**BUILT_IN, **renderers}
        self.settled = dict(settled)
        self.reach = reach
        self.batch, self.max_attempts, self.max_rows = batch, max_attempts, max_rows
        self.kinds = kinds  # None: every kind; (REPLY,): only answers to people
        self.poll = poll if poll is not None else settings.delivery_poll_seconds
        self.lease = lease if lease is not None else settings.delivery_lease_seconds
        self.drain = drain if drain is not None else settings.drain_seconds
        self.pacers = {
            channel: Pacer(db, channel, p.rate, per_chat_interval=p.per_chat_interval, per_chat_burst=p.per_chat_burst,
                           clock=self.clock)
            for channel, p in (pacing or {}).items() if channel in self.senders
        }
        # A sender that reaches only some people (a console: the person typing in it) leaves the others'
        # rows for the process that can reach them.
        reachable = {s.channel: getattr(s, "recipients", None) for s in senders}
        limited = [(channel, frozenset(ids)) for channel, ids in reachable.items() if ids is not None]
        if len(limited) > 1:
            raise ValueError("one worker serves at most one channel that reaches only some people")
        self.only: tuple[str, frozenset[str]] | None = limited[0] if limited else None
        self.registry = registry if registry is not None else {}
        self.running = False
        self._stopping = False
        self._held: dict[int, Claimed] = {}  # rows claimed by this process and not yet settled
        self._lost: set[int] = set()  # rows whose claim another process took over
        self._tasks: dict[int, asyncio.Task] = {}
        self._released: list[tuple[Claimed, int]] = []
        self._wake = asyncio.Event()
        self._up_to: int | None = None  # run_once: follow a person's rows only up to what was queued before
        self._behind: set[int] = set()  # people with a row waiting behind the one this process sends

    # --- what the rest of the process sees -----------------------------------------------------------
    def accepts(self, channel: str) -> bool:
        """Whether rows for this channel may be claimed for this worker as they are queued."""
        return self.running and not self._stopping and channel in self.senders

    def expect(self, user_id: int) -> None:
        """A row for this person waits behind the one being sent: claim it as soon as that is settled."""
        self._behind.add(user_id)

    def poke(self) -> None:
        """Something was queued: look now rather than at the next poll."""
        self._wake.set()

    def hand_over(self, row: Claimed) -> None:
        """A row claimed for this worker elsewhere (an event's answers): deliver it now."""
        if not self.running or self._stopping:
            self._released.append((row, row.progress))
            return
        self._start(row)

    async def send_unqueued(self, channel: str, external_id: str, replies: list[Reply], meta: dict[str, Any]) -> None:
        """Answers no row may hold: the goodbye to a person who was just forgotten (a row would name
        them). Paced like the rest; tried a few times, then given up (nothing about them is kept)."""
        if channel not in self.senders:
            return
        row = Claimed(0, 0, channel, "goodbye", {}, 0, outbox.ANSWER, external_id=external_id)
        gate = _Gate(self, row, self.pacers.get(channel))
        for attempt in range(WAIT_OUT_TIMES):
            gate.passed = 0
            try:
                result = await self._send(row, replies, meta, gate, gate.done, first=not attempt)
            except (Fenced, Stopping):
                return
            gate.done += result.parts
            if result.status != "retry":
                return
            await asyncio.sleep(min(max(result.retry_after, backoff(attempt)), WAIT_OUT))

    def check(self, row: Claimed) -> None:
        if row.id in self._lost:
            raise Fenced()
        if self._stopping:
            raise Stopping()

    # --- running ---------------------------------------------------------------------------------------
    async def run_once(self) -> int:
        """Deliver what is due now: one batch of rows, each followed by the rows queued behind it for the
        same person (in their order). Returns how many rows were delivered."""
        with clock_scope(self.clock.now):
            self._up_to = await outbox.last_id(self.db)  # not what this run queues (a reminder's follow-up)
            try:
                rows = await outbox.claim(self.db, list(self.senders), self.batch, self.lease, now=self.clock.now(),
                                          kinds=self.kinds, only=self.only)
                return sum(await asyncio.gather(*(self._chain(row) for row in rows)))
            finally:
                self._up_to = None

    async def _chain(self, row: Claimed | None) -> int:
        delivered = 0
        while row is not None:
            following = await self._deliver(row)
            delivered += 1
            row = following[0] if following else None
        return delivered

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until `stop` is set, then drain (at most `drain` seconds) and give back the rest."""
        self.running, self._stopping = True, False
        for channel in self.senders:
            self.registry.setdefault(channel, self)
        renewer = asyncio.create_task(self._renew_forever(), name="delivery-leases")
        stopped = asyncio.create_task(stop.wait())
        try:
            with clock_scope(self.clock.now):
                while not stop.is_set():
                    claimed = await self._claim_some()
                    if claimed:
                        continue
                    self._wake.clear()
                    woken = asyncio.create_task(self._wake.wait())
                    await asyncio.wait({woken, stopped}, timeout=self.poll, return_when=asyncio.FIRST_COMPLETED)
                    woken.cancel()
        finally:
            stopped.cancel()
            await self._drain()
            renewer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewer
            for channel in self.senders:
                if self.registry.get(channel) is self:
                    del self.registry[channel]
            self.running = False

    async def _claim_some(self) -> int:
        room = self.max_rows - len(self._tasks)
        if room <= 0:
            return 0
        try:
            rows = await outbox.claim(self.db, list(self.senders), min(self.batch, room), self.lease,
                                      now=self.clock.now(), kinds=self.kinds, only=self.only)
        except Exception as exc:  # the database is down: nothing is lost, the rows wait
            log.warning("delivery could not claim rows: %s", type(getattr(exc, "orig", exc)).__name__)
            return 0
        for row in rows:
            self._start(row)
        return len(rows)

    def _start(self, row: Claimed) -> None:
        task = asyncio.create_task(self._deliver_then_next(row), name=f"deliver-{row.id}")
        self._tasks[row.id] = task

        def done(_task: asyncio.Task) -> None:
            full = len(self._tasks) >= self.max_rows
            self._tasks.pop(row.id, None)
            if full:
                self._wake.set()  # room for more

        task.add_done_callback(done)

    async def _deliver_then_next(self, row: Claimed) -> None:
        for following in await self._deliver(row):
            self._start(following)

    async def _drain(self) -> None:
        self._stopping = True  # no new calls start; a row waiting for its turn goes back to the queue
        tasks = list(self._tasks.values())
        if tasks:
            _done, pending = await asyncio.wait(tasks, timeout=self.drain)
            for task in pending:  # a call still hanging: its outcome is unknown, the lease decides
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        released, self._released = self._released, []
        try:
            await outbox.release(self.db, released)
        except Exception as exc:
            log.warning("could not give %d row(s) back (their leases will): %s", len(released), type(exc).__name__)

    async def _renew_forever(self) -> None:
        while True:
            await asyncio.sleep(self.lease / 3)
            held = list(self._held.values())
            try:
                ours = await outbox.renew(self.db, held, self.lease, self.clock.now())
            except Exception as exc:
                log.warning("could not renew delivery leases: %s", type(getattr(exc, "orig", exc)).__name__)
                continue
            for row in held:
                if row.id not in ours and row.id in self._held:
                    self._lost.add(row.id)

    # --- one row ---------------------------------------------------------------------------------------
    async def _deliver(self, row: Claimed) -> list[Claimed]:
        """Deliver one row and record the outcome; the person's next row, if it was claimed with it."""
        self._held[row.id] = row
        gate: _Gate | None = None
        try:
            if row.blocked:
                # Known to be unreachable already (the rule ran when that was found): fail it, and let
                # the feature record why (a reminder occurrence shows "blocked").
                return await self._settle(row, Outcome("blocked", error=UNREACHABLE), known=True)
            rendered = await self._render(row)
            if isinstance(rendered, Outcome):
                return await self._settle(row, rendered)
            replies, meta = rendered
            pacer = self.pacers.get(row.channel)
            gate = _Gate(self, row, pacer)
            for waited in range(WAIT_OUT_TIMES + 1):
                gate.passed = 0
                first = row.attempts == 1 and not row.progress and not waited
                result = await self._send(row, replies, meta, gate, row.progress + gate.done, first)
                gate.done += result.parts
                if result.status != "retry" or not result.retry_after:
                    break
                if pacer is not None:
                    await pacer.push_back(result.retry_after)
                if result.retry_after > WAIT_OUT or waited == WAIT_OUT_TIMES:
                    break
                await asyncio.sleep(result.retry_after)
                self.check(row)
            binding = pacer is not None and gate.tat != row.send_after and pacer.chat_binding(gate.tat)
            return await self._settle(row, dataclasses.replace(result, parts=gate.done), tat=gate.tat if binding else None)
        except Fenced:
            log.warning("outbox row %s was taken over after its lease ran out; its new holder settles it", row.id)
            return []
        except Stopping:
            self._released.append((row, gate.progress if gate else row.progress))
            return []
        except Exception as exc:  # the database failed while settling: the lease brings the row back
            log.warning("could not deliver outbox row %s: %s", row.id, type(getattr(exc, "orig", exc)).__name__)
            return []
        finally:
            self._held.pop(row.id, None)
            self._lost.discard(row.id)

    async def _send(self, row: Claimed, replies: list[Reply], meta: dict[str, Any], gate: _Gate, skip: int,
                    first: bool = True) -> Outcome:
        try:
            return await self._send_parts(row, replies, meta, gate, skip, first)
        finally:
            await gate.finish()

    async def _send_parts(self, row: Claimed, replies: list[Reply], meta: dict[str, Any], gate: _Gate, skip: int,
                          first: bool) -> Outcome:
        sender = self.senders[row.channel]
        try:
            deliver = getattr(sender, "deliver", None)
            if deliver is not None:
                return await deliver(Job(row.external_id, replies, gate, meta, skip, row.last_written_at, first))
            await gate()  # a simple sender: the whole row is one part
            result = await sender.send(row.external_id, replies)
            return dataclasses.replace(result, parts=1 if result.status == "sent" else 0)
        except (Fenced, Stopping):
            raise
        except Exception as exc:  # a sender bug: retry later rather than lose the message
            log.error("sender for %s failed on row %s: %s", row.channel, row.id, type(exc).__name__)
            return Outcome("retry", error=type(exc).__name__, parts=max(0, gate.passed - 1))

    async def _render(self, row: Claimed) -> tuple[list[Reply], dict[str, Any]] | Outcome:
        """The row's replies (answers are stored rendered; other kinds are rendered now, in the
        recipient's language), or the outcome when there is nothing to send."""
        if row.kind == outbox.REPLY:
            return codec.decode(row.payload.get("replies", [])), dict(row.payload.get("meta") or {})
        renderer = self.renderers.get(row.kind)
        if renderer is None:
            log.error("outbox row %s has kind %r that no feature renders; marked failed", row.id, row.kind)
            return Outcome("failed", error=f"unknown message kind {row.kind!r}")
        async with self.db.sessions() as session:
            user = await session.get(User, row.user_id)
            replies = None
            if user is not None:
                rc = RenderContext(session, self.services, user, Translator(user.lang or "uk"))
                replies = await renderer(rc, row.payload)
        if not replies:
            return Outcome("cancelled", error="nothing to send any more")
        return replies, {}

    async def _settle(self, row: Claimed, result: Outcome, known: bool = False,
                      tat: float | None = None) -> list[Claimed]:
        retry = result.status == "retry" and row.attempts < self.max_attempts
        if result.status == "retry" and not retry:
            result = Outcome("failed", error=result.error or "gave up after retries", parts=result.parts)
        progress = row.progress + result.parts
        now = self.clock.now()
        following: list[Claimed] = []
        async with self.db.sessions() as session, session.begin():
            if tat is not None and result.parts:
                await (await session.connection()).execute(_BUDGET, {"uid": row.user_id, "tat": tat})
            if retry:
                await outbox.settle_in(session, row, "pending", error=result.error, progress=progress, now=now,
                                       retry_in=max(result.retry_after, backoff(row.attempts)))
                return []
            state = result.status if result.status in ("sent", "cancelled") else "failed"
            error = "blocked by the user" if result.status == "blocked" and not known else result.error
            if not await outbox.settle_in(session, row, state, error=error, billing=result.billing, progress=progress,
                                          now=now):
                return []  # someone else holds it now
            hook = self.settled.get(row.kind) if state != "cancelled" else None
            if hook is not None:
                try:
                    async with session.begin_nested():
                        await hook(session, self.services, row, result)
                except Exception:  # the feature's bookkeeping failed: the message is still settled
                    log.exception("the %r settled hook failed for outbox row %s", row.kind, row.id)
            if result.status == "blocked" and not known:
                await self.reach.lost(session, row.user_id, f"blocked ({row.channel})")
            elif not self._stopping and (not self.running or row.user_id in self._behind):
                # The person's next message, if one waits behind this one: claimed now, not at the next poll.
                self._behind.discard(row.user_id)
                nxt = await outbox.claim_next_in(session, dataclasses.replace(row, send_after=tat or row.send_after),
                                                 self.lease, now, kinds=self.kinds, up_to=self._up_to)
                following = [nxt] if nxt is not None else []
        if row.payload.get(outbox.SCRUB):  # its erased payload named someone forgotten: out of the files too
            await self.db.checkpoint()
        return following
