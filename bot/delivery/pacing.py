"""Keep every delivery process together under a platform's rate limit.

Telegram answers 429 above roughly 30 messages a second per bot and 1 a second per
chat. Each process reserves sending slots from one row per channel in the database
(`delivery_pace.next_at`), so two or ten processes share the budget instead of each
spending all of it. Within a batch, messages to the same chat are spaced apart.
"""

from __future__ import annotations

from sqlalchemy import case, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bot.core.clock import Clock, SystemClock
from storage.db import Database, is_sqlite
from storage.models import DeliveryPace


class Pacer:
    def __init__(self, db: Database, channel: str, rate: float, per_chat_interval: float = 1.0,
                 clock: Clock | None = None):
        self.db = db
        self.clock = clock or SystemClock()
        self.channel = channel
        self.rate = rate
        self.per_chat_interval = per_chat_interval
        self._last_by_chat: dict[int, float] = {}
        self._ready = False

    async def _ensure_row(self, session) -> None:
        if self._ready:
            return
        insert = sqlite_insert if is_sqlite(self.db.url) else pg_insert
        await session.execute(insert(DeliveryPace).values(channel=self.channel, next_at=0.0).on_conflict_do_nothing())
        self._ready = True

    async def reserve(self, n: int) -> float:
        """Reserve n consecutive slots; returns the Unix time of the first."""
        now = self.clock.time()
        span = n / self.rate
        async with self.db.sessions() as session, session.begin():
            await self._ensure_row(session)
            start = case((DeliveryPace.next_at > now, DeliveryPace.next_at), else_=now)
            await session.execute(
                update(DeliveryPace).where(DeliveryPace.channel == self.channel).values(next_at=start + span)
            )
            end = (await session.execute(select(DeliveryPace.next_at).where(DeliveryPace.channel == self.channel))).scalar_one()
        return end - span

    async def push_back(self, seconds: float) -> None:
        """The platform said "too many requests": nobody sends for `seconds`."""
        async with self.db.sessions() as session, session.begin():
            await self._ensure_row(session)
            await session.execute(
                update(DeliveryPace).where(DeliveryPace.channel == self.channel).values(next_at=self.clock.time() + seconds)
            )

    def schedule(self, start: float, chats: list[int]) -> list[float]:
        """Send times for a batch: one slot each, and no chat twice within per_chat_interval."""
        times = []
        for i, chat in enumerate(chats):
            slot = start + i / self.rate
            slot = max(slot, self._last_by_chat.get(chat, 0.0) + self.per_chat_interval)
            self._last_by_chat[chat] = slot
            times.append(slot)
        if len(self._last_by_chat) > 100_000:  # forget old chats; only the last second matters
            horizon = self.clock.time() - self.per_chat_interval
            self._last_by_chat = {c: t for c, t in self._last_by_chat.items() if t > horizon}
        return times
