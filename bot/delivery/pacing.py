"""Keep every delivery process together under a platform's rate limits.

Telegram refuses (429) more than about 30 messages a second per bot and more than about one a second
per chat (a short burst is tolerated). Both budgets are shared by every process through the database:
* the bot's budget: one row per channel (`delivery_pace.next_at`, the next free sending slot). A
  process reserves a few consecutive slots at a time for the messages it has ready, highest priority
  first (answers before reminders), and a message whose slot passed while the process was busy does not
  use it late (that would bunch messages up): it takes a new one.
* a chat's budget: `users.send_after`, a theoretical arrival time (GCRA): `per_chat_burst` messages may
  go at once, then one per `per_chat_interval`. Only one process sends to a person at a time (the
  outbox's order), so it reads the value when it claims the row and writes it back when it settles.
* a stall: when a call has been on its way longer than STALL (the API or the network hangs), no new
  call starts until it returns. The calls held up arrive together when the way clears (in every
  process at once), so the shared budget then pauses for a whole window: the bunch has that second to
  itself.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
from typing import cast

from sqlalchemy import Table, bindparam, case, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bot.core.clock import Clock, SystemClock
from storage.db import Database, is_sqlite
from storage.models import DeliveryPace

log = logging.getLogger(__name__)
_P = cast(Table, DeliveryPace.__table__)
# "Give me `span` seconds of the budget from `from_` on (or from where it is free)": built once.
_RESERVE = (update(_P).where(_P.c.channel == bindparam("ch"))
            .values(next_at=case((_P.c.next_at > bindparam("from_"), _P.c.next_at), else_=bindparam("from_"))
                    + bindparam("span"))
            .returning(_P.c.next_at))
MAX_BATCH = 8  # slots reserved at once: ~0.3 s of Telegram's budget, so other processes' answers wait little
AHEAD = 0.1  # the next stretch is reserved only this close to the end of the last: a process holds little of the
# budget in advance (a killed one wastes little, and an answer that comes meanwhile still goes first)
CHUNK = 0.05  # at a high rate, at least this much of the budget is reserved at once (one trip to the database)
# A message sent less than one slot after its slot cannot make any window hold more than rate + 1 (at 29/s:
# 30, Telegram's limit); one later than that could. So a slot missed by more than LATE of a slot (the
# rest is room for the network's jitter) is not used late: the message takes a new one.
LATE = 0.3
LATE_ANYWAY = 0.005  # …but a few milliseconds late is on time, however fast the rate
STALL = 0.5  # seconds a call may be on its way before the platform counts as stalled
WINDOW = 1.0  # the span the platform counts messages in


class Pacer:
    def __init__(self, db: Database | None, channel: str, rate: float, per_chat_interval: float = 1.0,
                 per_chat_burst: int = 1, clock: Clock | None = None):
        self.db = db
        self.clock = clock or SystemClock()
        self.channel = channel
        self.rate = rate
        self.per_chat_interval = per_chat_interval
        self.per_chat_burst = max(1, per_chat_burst)
        self._ready = False
        self._waiting: list[tuple[int, int, asyncio.Future[float]]] = []
        self._order = itertools.count()
        self._dispatcher: asyncio.Task | None = None
        self._lo = self._hi = 0.0  # budget reserved by this process and not handed out yet: [lo, hi)
        self._calls: dict[int, float] = {}  # calls on their way: token → when they started (loop time)
        self._tokens = itertools.count()
        self._returned = asyncio.Event()  # a call came back

    # --- the bot's budget -------------------------------------------------------------------------
    async def _ensure_row(self, session) -> None:
        if self._ready:
            return
        assert self.db is not None
        insert = sqlite_insert if is_sqlite(self.db.url) else pg_insert
        await session.execute(insert(DeliveryPace).values(channel=self.channel, next_at=0.0).on_conflict_do_nothing())
        self._ready = True

    async def reserve(self, n: int) -> float:
        """Reserve n consecutive slots in the shared budget; returns the Unix time of the first."""
        span = n / self.rate
        return await self._move(self.clock.time(), span) - span

    async def _move(self, from_: float, span: float) -> float:
        assert self.db is not None
        async with self.db.sessions() as session, session.begin():
            await self._ensure_row(session)
            conn = await session.connection()
            return float((await conn.execute(_RESERVE, {"ch": self.channel, "from_": from_, "span": span})).scalar_one())

    async def push_back(self, seconds: float) -> None:
        """The platform said "too many requests": nobody sends for `seconds`."""
        await self._move(self.clock.time() + seconds, 0.0)

    # --- calls on their way ---------------------------------------------------------------------------
    def started(self) -> int:
        token = next(self._tokens)
        self._calls[token] = asyncio.get_running_loop().time()
        return token

    async def finished(self, token: int) -> None:
        began = self._calls.get(token)
        try:
            if began is not None and asyncio.get_running_loop().time() - began > STALL:
                await self.push_back(WINDOW)  # before anyone here may start again
        finally:
            self._calls.pop(token, None)
            self._returned.set()

    def stalled(self) -> bool:
        """A call of this process has been on its way longer than STALL."""
        return bool(self._calls) and asyncio.get_running_loop().time() - min(self._calls.values()) > STALL

    async def unstalled(self) -> None:
        while self.stalled():
            self._returned.clear()
            await self._returned.wait()

    async def next_at(self) -> float:
        assert self.db is not None
        async with self.db.sessions() as session:
            value = (await session.execute(select(DeliveryPace.next_at)
                                           .where(DeliveryPace.channel == self.channel))).scalar()
        return float(value or 0.0)

    async def slot(self, priority: int) -> float:
        """A sending slot for one message (lower priority numbers are served first)."""
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiting, (priority, next(self._order), future))
        if self._dispatcher is None or self._dispatcher.done():
            self._dispatcher = asyncio.create_task(self._dispatch(), name=f"pace-{self.channel}")
        return await future

    def on_time(self, slot: float) -> bool:
        """Whether a slot may still be used now."""
        return self.clock.time() - slot <= max(LATE / self.rate, LATE_ANYWAY)

    async def _dispatch(self) -> None:
        step = 1 / self.rate
        while self._waiting:
            slot = max(self._lo, self.clock.time())  # what went by unused stays unused
            if slot + step > self._hi + 1e-9:
                if self._hi - self.clock.time() > AHEAD:
                    await self.clock.sleep(self._hi - self.clock.time() - AHEAD)
                    continue
                n = max(min(len(self._waiting), MAX_BATCH), int(self.rate * CHUNK))
                try:
                    start = await self.reserve(n)
                except Exception:  # the database is down: the messages wait, and their rows stay claimed
                    log.warning("could not reserve sending slots for %s; trying again", self.channel)
                    await asyncio.sleep(0.5)
                    continue
                self._lo, self._hi = start, start + n * step
                continue
            *_, future = heapq.heappop(self._waiting)
            if not future.done():
                future.set_result(slot)
                self._lo = slot + step

    # --- a chat's budget --------------------------------------------------------------------------
    def chat_ready(self, tat: float | None, now: float) -> float:
        """When the next message to a chat whose budget is `tat` may go."""
        if tat is None or self.per_chat_interval <= 0:
            return now
        return max(now, tat - (self.per_chat_burst - 1) * self.per_chat_interval)

    def chat_sent(self, tat: float | None, at: float) -> float:
        """The chat's budget after a message went at `at`."""
        return max(tat if tat is not None else at, at) + self.per_chat_interval

    def chat_binding(self, tat: float | None) -> bool:
        """Whether this budget still holds a chat back (else it need not be written down)."""
        return tat is not None and self.chat_ready(tat, self.clock.time()) > self.clock.time()
