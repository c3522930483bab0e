"""`run_bot.py reminders import FILE --worker ID`: a social worker's reminders from a spreadsheet."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

NAME = "reminders"
HELP = "social-worker reminders: import from CSV/XLSX"
ORDER = 65


def add_arguments(parser) -> None:
    sub = parser.add_subparsers(dest="reminders_cmd", required=True)
    imp = sub.add_parser("import", help="columns: client, text, when, repeat, urgent, details (see README)")
    imp.add_argument("file", type=Path)
    imp.add_argument("--worker", type=int, required=True, help="the worker's user number (see `staff list`)")


async def _main(args, settings) -> int:
    from bot.features.reminders.importer import import_reminders
    from bot.features.reminders.timing import Policy
    from bot.features.staff import store as roles
    from bot.tables import TableError
    from storage.db import open_database

    db = await open_database(settings.database_url)
    try:
        async with db.sessions() as session:
            if not await roles.role_scopes(session, args.worker, "social_worker"):
                print(f"User #{args.worker} is not a social worker (see `staff list`).", file=sys.stderr)
                return 2
        try:
            summary = await import_reminders(db, args.file, args.worker, Policy.from_settings(settings))
        except (TableError, OSError) as exc:
            print(f"Cannot import: {exc}", file=sys.stderr)
            return 2
        for line, reason in summary.rejected:
            print(f"line {line}: rejected: {reason}")
        print(summary.line())
        return 1 if summary.rejected else 0
    finally:
        await db.dispose()


def run(args, settings) -> int:
    return asyncio.run(_main(args, settings))
