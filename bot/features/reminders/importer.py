"""Bulk-import a social worker's reminders from a spreadsheet (CSV or XLSX).

| column | also accepted as       | example                               |
|--------|------------------------|---------------------------------------|
| client | клієнт                 | Ганна К. (the name the worker gave the client in the bot) |
| text   | текст, нагадування     | Нагадування про прийом у ЦНАП         |
| when   | коли, дата і час       | 2026-12-01 10:00 or 01.12.2026 10:00 (local time) |
| repeat | повтор                 | none, daily, weekly, monthly, before:3 (also: щодня, щотижня, щомісяця) |
| urgent | терміново              | yes/no (send even in quiet hours)     |
| details| де, що взяти           | ЦНАП, вул. Соборна, 1; паспорт (optional: where to come, what to bring) |

Only clients who agreed (active links of this worker) can get reminders; a bad row
is reported with its line number and the others are imported. Importing the same file again
changes nothing: a row whose client, text, time and repetition match an active reminder is
that reminder ("unchanged"), so a client never gets a reminder twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot.features.reminders import service
from bot.features.reminders.models import ClientLink
from bot.features.reminders.timing import Policy
from bot.tables import read_table
from storage.db import Database
from storage.types import utcnow

HEADERS = {
    "client": ("client", "клієнт"),
    "text": ("text", "текст", "нагадування"),
    "when": ("when", "коли", "дата і час", "дата"),
    "repeat": ("repeat", "повтор", "повторення"),
    "urgent": ("urgent", "терміново"),
    "details": ("details", "де", "що взяти", "місце"),
}
REPEAT_WORDS = {"": "none", "none": "none", "once": "none", "один раз": "none", "ні": "none",
                "daily": "daily", "щодня": "daily", "weekly": "weekly", "щотижня": "weekly",
                "monthly": "monthly", "щомісяця": "monthly"}


MAX_DETAILS = 200


@dataclass
class Summary:
    imported: int = 0
    unchanged: int = 0  # already there (the same file imported again)
    changed: int = 0  # already there, now marked urgent or not
    rejected: list[tuple[int, str]] = field(default_factory=list)

    def line(self) -> str:
        return (f"imported {self.imported}, unchanged {self.unchanged}, changed {self.changed}, "
                f"rejected {len(self.rejected)}")


def parse_when(value) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    text = " ".join(str(value or "").split())
    for fmt in ("%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M", "%d.%m.%y %H:%M", "%Y-%m-%dT%H:%M"):
        try:
            return dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
    raise ValueError(f"cannot read the date and time {text!r} (use 2026-12-01 10:00 or 01.12.2026 10:00)")


def parse_repeat(value) -> tuple[str, int]:
    text = " ".join(str(value or "").strip().lower().split())
    if text.startswith("before:") or text.startswith("за "):
        digits = "".join(ch for ch in text if ch.isdigit())
        if not digits or not 1 <= int(digits) <= 60:
            raise ValueError(f"'before' needs a number of days from 1 to 60, got {value!r}")
        return "before", int(digits)
    if text not in REPEAT_WORDS:
        raise ValueError(f"unknown repeat {value!r} (use none, daily, weekly, monthly or before:N)")
    return REPEAT_WORDS[text], 0


async def import_reminders(db: Database, path: Path, worker_id: int, policy: Policy, now: dt.datetime | None = None) -> Summary:
    records, _total = read_table(path, HEADERS, ("client", "text", "when"))
    summary = Summary()
    now = now or utcnow()
    async with db.sessions() as session, session.begin():
        # Locking the worker's links makes two imports for one worker take turns (PostgreSQL; SQLite's
        # writers take turns anyway): the second then finds the first one's reminders "unchanged".
        mine = select(ClientLink).where(ClientLink.worker_id == worker_id).order_by(ClientLink.id).with_for_update()
        links = {link.alias.casefold(): link for link in (await session.execute(mine)).scalars()}
        for line, rec in records:
            try:
                alias = " ".join(str(rec.get("client") or "").split())
                link = links.get(alias.casefold())
                if link is None:
                    raise ValueError(f"no client named {alias!r} (use the name you gave the client in the bot)")
                if link.state != "active":
                    raise ValueError(f"{alias} has not agreed to reminders (or stopped them)")
                text = " ".join(str(rec.get("text") or "").split())
                if not 1 <= len(text) <= 300:
                    raise ValueError("the text must be 1 to 300 characters")
                when = parse_when(rec.get("when"))
                repeat, days_before = parse_repeat(rec.get("repeat"))
                urgent = str(rec.get("urgent") or "").strip().lower() in ("yes", "так", "1", "true", "терміново")
                details = " ".join(str(rec.get("details") or "").split())
                if len(details) > MAX_DETAILS:
                    raise ValueError(f"the details must be at most {MAX_DETAILS} characters")
                moment = when.replace(tzinfo=policy.tz)
                if repeat in ("none", "before") and moment.astimezone(dt.UTC) <= now:
                    raise ValueError("this moment has already passed")
            except ValueError as exc:
                summary.rejected.append((line, str(exc)))
                continue
            fields: dict[str, Any] = dict(text=text, start_date=when.date(), local_time=when.strftime("%H:%M"),
                                          repeat=repeat, days_before=days_before)
            existing = await service.same_reminder(session, link, **fields)
            if existing is not None:
                if existing.urgent == urgent and (existing.details or "") == details:
                    summary.unchanged += 1
                else:
                    existing.urgent, existing.details = urgent, details or None
                    summary.changed += 1
                continue
            async with session.begin_nested():
                await service.create_reminder(session, link, **fields, urgent=urgent, policy=policy, now=now,
                                              details=details)
            summary.imported += 1
    return summary
