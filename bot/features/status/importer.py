"""Import application statuses from a CNAP's spreadsheet (CSV or XLSX).

Column layout (first row = headers, any order, Ukrainian or English names):

| column        | also accepted as                         | required | example            |
|---------------|------------------------------------------|----------|--------------------|
| number        | номер, номер заяви                       | yes      | ЦН-2026-00123      |
| status        | статус                                   | yes      | ready / Готово     |
| note          | примітка, коментар                       | no       | Бракує довідки ОК-5 |
| expected_date | очікувана дата, дата готовності          | no       | 2026-12-01 or 01.12.2026 |
| service_id    | послуга                                  | no       | id-card            |
| office_id     | офіс, цнап                               | no       | cnap-main          |
| secret        | код, pin, пін                            | no       | 4821               |
| phone         | телефон                                  | no       | only its last 4 digits are used (and only hashed) |

Rows are upserted by number: a changed status adds a history entry and notifies the
people following the application; re-importing the same file changes nothing.
A bad row is reported with its line number and the others are still imported. A row that would
move a closed (issued or refused) application to another status is refused, unless
`allow_backward` (an older file must not reopen it silently). A row that leaves its application
without a phone or code — so nobody can ever look it up — is warned about (or refused with
`require_secret`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.features.status import store as apps
from bot.features.status.statuses import parse_status
from bot.tables import TableError, read_table
from storage.db import Database

HEADERS = {
    "number": ("number", "номер", "номер заяви", "№"),
    "status": ("status", "статус"),
    "note": ("note", "примітка", "коментар"),
    "expected_date": ("expected_date", "очікувана дата", "дата готовності"),
    "service_id": ("service_id", "послуга"),
    "office_id": ("office_id", "офіс", "цнап"),
    "secret": ("secret", "код", "pin", "пін"),
    "phone": ("phone", "телефон"),
}
BATCH = 500
MAX_NOTE = 1000


ImportError_ = TableError  # kept for callers: the file as a whole cannot be read


@dataclass
class RowResult:
    """What one row does (or, in a dry run, would do) to its application."""

    line: int
    number: str
    before: str | None  # the status now; None for a new application
    after: str
    result: str  # added | changed | unchanged


@dataclass
class Summary:
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (line, why): rows that cannot be read or used
    refused: list[tuple[int, str]] = field(default_factory=list)  # (line, why): rows that would reopen a closed one
    no_secret: list[int] = field(default_factory=list)  # lines imported without any phone or code
    notified: int = 0
    rows: list[RowResult] = field(default_factory=list)  # filled when asked for (previews)

    def line(self) -> str:
        parts = [f"added {self.added}, changed {self.changed}, unchanged {self.unchanged}, "
                 f"rejected {len(self.rejected)}"]
        if self.refused:
            parts.append(f"{len(self.refused)} refused (backward)")
        if self.no_secret:
            parts.append(f"{len(self.no_secret)} without a phone or code (nobody can look them up)")
        return "; ".join(parts) + f"; {self.notified} notification(s) queued"


def parse_date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"cannot read the date {text!r} (use 2026-12-01 or 01.12.2026)")


def parse_row(record: dict[str, Any], kb: Any) -> apps.ApplicationUpdate:
    def cell(name: str) -> str:
        value = record.get(name)
        return "" if value is None else str(value).strip()

    number = cell("number")
    if not apps.normalize_number(number):
        raise ValueError("the application number is empty")
    if len(number) > 64:
        raise ValueError("the application number is longer than 64 characters")
    status = parse_status(cell("status"))
    if status is None:
        raise ValueError(f"unknown status {cell('status')!r} (use one of: {', '.join(apps.STATUSES)})")
    note = cell("note")
    if len(note) > MAX_NOTE:
        raise ValueError(f"the note is longer than {MAX_NOTE} characters")
    service_id = cell("service_id") or None
    if service_id and kb is not None and service_id not in kb.services:
        raise ValueError(f"unknown service id {service_id!r}")
    office_id = cell("office_id") or None
    if office_id and kb is not None and office_id not in kb.offices:
        raise ValueError(f"unknown office id {office_id!r}")
    secret = cell("secret") or None
    if not secret and cell("phone"):
        digits = re.sub(r"\D", "", cell("phone"))
        if len(digits) < 4:
            raise ValueError("the phone number has fewer than 4 digits")
        secret = digits[-4:]
    if secret is not None and not 4 <= len(secret) <= 32:
        raise ValueError("the code must be 4 to 32 characters")
    return apps.ApplicationUpdate(number=number, status=status, note=note, expected_date=parse_date(record.get("expected_date")),
                                  service_id=service_id, office_id=office_id, secret=secret)


async def import_file(
    db: Database,
    path: Path,
    *,
    kb: Any,
    key: bytes,
    source: str = "import",
    progress: Callable[[int, int], None] | None = None,
    allow_backward: bool = False,
    require_secret: bool = False,
    dry_run: bool = False,
    offices: set[str] | None = None,
    keep_rows: bool = False,
) -> Summary:
    """Import the file. `dry_run`: do everything in transactions that are rolled back, so the summary
    says what the import would do and nothing is written or queued. `offices`: the importer may touch
    only applications of these offices (a row naming, or updating an application of, another office is
    rejected). `keep_rows`: list what every row does in `summary.rows`."""
    rows, total = read_table(path, HEADERS, ("number", "status"))
    summary = Summary()
    batch: list[tuple[int, apps.ApplicationUpdate]] = []
    done = unreadable = 0

    async def flush() -> None:
        nonlocal done
        async with db.sessions() as session:
            await session.begin()
            try:
                for line, upd in batch:
                    existing = await apps.find(session, upd.number) if offices is not None or keep_rows or require_secret else None
                    before = existing.status if existing else None
                    if offices is not None and (upd.office_id or (existing.office_id if existing else None) or "") not in offices | {""}:
                        summary.rejected.append((line, "the application belongs to an office you do not work for"))
                        continue
                    if require_secret and not upd.secret and (existing is None or not existing.secret_hash):
                        summary.rejected.append((line, "no phone or code: nobody could look this application up"))
                        continue
                    try:
                        change = await apps.upsert(session, upd, source, key, allow_backward=allow_backward)
                    except apps.BackwardMove as exc:
                        summary.refused.append((line, str(exc)))
                        continue
                    setattr(summary, change.result, getattr(summary, change.result) + 1)
                    summary.notified += change.notified
                    if not change.application.secret_hash:
                        summary.no_secret.append(line)
                    if keep_rows:
                        summary.rows.append(RowResult(line, upd.number, before, upd.status, change.result))
            except BaseException:
                await session.rollback()
                raise
            if dry_run:
                await session.rollback()
            else:
                await session.commit()
        done += len(batch)
        batch.clear()
        if progress:
            progress(done + unreadable, total)

    seen: dict[str, int] = {}
    for line, record in rows:
        try:
            upd = parse_row(record, kb)
            norm = apps.normalize_number(upd.number)
            if norm in seen:
                raise ValueError(f"the same application number is already on line {seen[norm]}")
            seen[norm] = line
        except ValueError as exc:
            summary.rejected.append((line, str(exc)))
            unreadable += 1
            continue
        batch.append((line, upd))
        if len(batch) >= BATCH:
            await flush()
    if batch:
        await flush()
    if progress:
        progress(total, total)
    summary.rejected.sort()
    return summary
