"""Column types shared by every table.

`UtcDateTime` stores aware datetimes and always gives aware UTC datetimes back. SQLite has no time
zones and returns naive values; without this every reader had to remember to patch them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[dt.datetime]):
    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; use an aware datetime (storage.types.utcnow)")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


# The app's clock for the code running now (bot/core/clock.py sets it around each event, delivery round
# and HTTP request), so that `utcnow()` deep in a store agrees with the clock the app was given.
_clock: ContextVar[Callable[[], dt.datetime] | None] = ContextVar("clock", default=None)


def utcnow() -> dt.datetime:
    now = _clock.get()
    return now() if now is not None else dt.datetime.now(dt.UTC)


@contextmanager
def clock_scope(now: Callable[[], dt.datetime]) -> Iterator[None]:
    token = _clock.set(now)
    try:
        yield
    finally:
        _clock.reset(token)
