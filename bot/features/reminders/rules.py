"""The rules a reminder must meet, as the bot's wizard applies them, for forms that get every field at once
(the staff console): text length, a date and time that have not passed, the repetitions the wizard
offers, and what quiet hours do to it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.features.reminders.timing import Policy, in_quiet_hours, parse_hhmm, to_utc
from bot.features.reminders.wizard import MAX_TEXT, REPEATS
from bot.i18n import N_

BEFORE_DAYS = (1, 3, 7)  # "N days before that date, and on the day", as the wizard offers


@dataclass(frozen=True)
class Draft:
    text: str
    day: dt.date
    at: dt.time
    repeat: str
    days_before: int
    urgent: bool

    @property
    def local_time(self) -> str:
        return self.at.strftime("%H:%M")


def check(text: str, day: str, at: str, repeat: str, policy: Policy, now: dt.datetime, *, urgent: bool = False,
          ) -> tuple[Draft | None, list[str]]:
    """(the reminder, []) or (None, the problems as English msgids to translate)."""
    problems = []
    text = " ".join(text.split())
    if not 1 <= len(text) <= MAX_TEXT:
        problems.append(N_("Write the reminder's text (at most 300 characters)."))
    try:
        when = dt.date.fromisoformat(day)
    except ValueError:
        when = None
        problems.append(N_("Choose the day."))
    moment = parse_hhmm(at) if at else None
    if moment is None:
        problems.append(N_("Choose the time, like 14:30."))
    kind, _sep, days = repeat.partition(":")
    days_before = int(days) if days.isdigit() else 0
    if kind not in REPEATS and not (kind == "before" and days_before in BEFORE_DAYS):
        problems.append(N_("Choose how often."))
    if when is not None and moment is not None and to_utc(when, moment, policy.tz) <= now:
        problems.append(N_("This moment has already passed. Choose another time."))
    if problems or when is None or moment is None:
        return None, problems
    return Draft(text, when, moment, kind, days_before if kind == "before" else 0, urgent), []


def in_quiet(draft: Draft, policy: Policy) -> bool:
    local = to_utc(draft.day, draft.at, policy.tz).astimezone(policy.tz)
    return in_quiet_hours(local, policy.quiet_start, policy.quiet_end)
