"""What time it is, injected: the bot reads time only through a `Clock`.

Reminders, quiet hours, survey expiry and delivery pacing all depend on the time of day. Tests give
the app a `ManualClock` so they do not depend on the hour they run at and never sleep for real.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from typing import Protocol


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """The current moment, aware, in UTC."""
        ...

    def time(self) -> float:
        """The current Unix time (for rate budgets)."""
        ...

    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)

    def time(self) -> float:
        return time.time()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class ManualClock:
    """A clock that moves only when told to: `sleep` advances it at once instead of waiting."""

    def __init__(self, start: dt.datetime):
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = start.astimezone(dt.UTC)

    def now(self) -> dt.datetime:
        return self._now

    def time(self) -> float:
        return self._now.timestamp()

    def advance(self, delta: dt.timedelta | float) -> None:
        self._now += delta if isinstance(delta, dt.timedelta) else dt.timedelta(seconds=delta)

    def set(self, moment: dt.datetime) -> None:
        self._now = moment.astimezone(dt.UTC)

    async def sleep(self, seconds: float) -> None:
        if seconds > 0:
            self.advance(seconds)
        await asyncio.sleep(0)  # still let other tasks run
