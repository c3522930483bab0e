"""When a reminder fires: local wall-clock times, repetition, quiet hours, daylight saving.

Everything is planned in the community's local time (a reminder at 09:00 stays at
09:00 when the clocks change) and converted to UTC for the outbox. A local time
that does not exist (the spring-forward gap, 03:00–04:00 in Kyiv) moves forward
by the gap; one that happens twice (autumn) takes the first.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

QUIET_START = dt.time(21, 0)
QUIET_END = dt.time(8, 0)
REPEATS = ("none", "daily", "weekly", "monthly", "before")
UTC = dt.UTC


def to_utc(day: dt.date, at: dt.time, tz: ZoneInfo) -> dt.datetime:
    # fold=0: an autumn time that happens twice means the first; a spring time in the
    # gap is read with the pre-gap offset, which lands after the gap (03:30 → 04:30).
    return dt.datetime.combine(day, at).replace(tzinfo=tz, fold=0).astimezone(UTC)


def parse_hhmm(text: str) -> dt.time | None:
    text = text.strip().replace(".", ":").replace("-", ":")
    try:
        hours, minutes = (text.split(":") + ["0"])[:2]
        value = dt.time(int(hours), int(minutes))
    except (ValueError, TypeError):
        return None
    return value


def in_quiet_hours(local: dt.datetime, start: dt.time = QUIET_START, end: dt.time = QUIET_END) -> bool:
    t = local.time()
    return t >= start or t < end if start > end else start <= t < end


def apply_quiet_hours(due: dt.datetime, tz: ZoneInfo, urgent: bool, start: dt.time = QUIET_START,
                      end: dt.time = QUIET_END) -> dt.datetime:
    """Move a non-urgent reminder due in quiet hours to the end of them (the next morning)."""
    local = due.astimezone(tz)
    if urgent or not in_quiet_hours(local, start, end):
        return due
    morning = local.date() if local.time() < end else local.date() + dt.timedelta(days=1)
    return to_utc(morning, end, tz)


def _add_months(day: dt.date, months: int, anchor_day: int) -> dt.date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(anchor_day, calendar.monthrange(year, month)[1]))


def planned_days(start: dt.date, repeat: str, days_before: int = 0):
    """The local dates a reminder fires on, in order (infinite for repeating ones)."""
    if repeat == "none":
        yield start
    elif repeat == "before":  # start is the deadline: N days ahead, then on the day
        if days_before > 0:
            yield start - dt.timedelta(days=days_before)
        yield start
    elif repeat in ("daily", "weekly"):
        step = dt.timedelta(days=1 if repeat == "daily" else 7)
        day = start
        while True:
            yield day
            day += step
    elif repeat == "monthly":
        n = 0
        while True:
            yield _add_months(start, n, start.day)
            n += 1
    else:
        raise ValueError(f"unknown repeat {repeat!r}")


def next_planned(start: dt.date, at: dt.time, repeat: str, days_before: int, tz: ZoneInfo,
                 after: dt.datetime) -> dt.datetime | None:
    """The first planned moment (UTC) strictly after `after`, or None when the series is over."""
    for n, day in enumerate(planned_days(start, repeat, days_before)):
        moment = to_utc(day, at, tz)
        if moment > after:
            return moment
        if n > 20000:  # ~55 years of daily reminders: a safety stop, not a real limit
            return None
    return None


@dataclass(frozen=True)
class Policy:
    """The community's clock: time zone, quiet hours, and how long to wait for "Got it"."""

    tz: ZoneInfo
    quiet_start: dt.time = QUIET_START
    quiet_end: dt.time = QUIET_END
    confirm_within: dt.timedelta = dt.timedelta(hours=24)

    @classmethod
    def from_settings(cls, settings) -> Policy:
        start, _, end = settings.quiet_hours.partition("-")
        return cls(
            tz=ZoneInfo(settings.timezone),
            quiet_start=parse_hhmm(start) or QUIET_START,
            quiet_end=parse_hhmm(end) or QUIET_END,
            confirm_within=dt.timedelta(hours=settings.reminder_confirm_hours),
        )

    def due(self, planned: dt.datetime, urgent: bool) -> dt.datetime:
        return apply_quiet_hours(planned, self.tz, urgent, self.quiet_start, self.quiet_end)
