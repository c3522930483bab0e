"""`run_bot.py kb check` validates the knowledge base; `kb stale` lists what staff must re-check soon;
`kb misses` shows what people searched for and did not find (recorded without any link to who asked),
to decide what to add."""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
from pathlib import Path

NAME = "kb"
HELP = "knowledge-base tools: check, stale, misses"
ORDER = 41


def add_arguments(parser) -> None:
    parser.add_argument("action", choices=["check", "stale", "misses"])
    parser.add_argument("--required", type=Path, default=None, help="check: CSV of service ids that must be present")
    parser.add_argument("--lenient", action="store_true",
                        help="check: readability and first-screen length (rules 12, 13) only warn")
    parser.add_argument("--today", type=dt.date.fromisoformat, default=None,
                        help="check, stale: judge validity as of this date (YYYY-MM-DD), e.g. to see what fails on 1 January")
    parser.add_argument("--days", type=int, default=None,
                        help="stale: what expires within this many days (default 60); misses: look back this many days (default 30)")
    parser.add_argument("--limit", type=int, default=50, help="misses: how many queries to list")


async def _misses(settings, days: int, limit: int) -> int:
    from bot.features.services import store
    from storage.db import open_database
    from storage.models import utcnow

    db = await open_database(settings.database_url)
    try:
        async with db.sessions() as session:
            rows = await store.top_search_misses(session, utcnow() - dt.timedelta(days=days), limit)
    finally:
        await db.dispose()
    if not rows:
        print(f"No unanswered searches in the last {days} days.")
        return 0
    print(f"Searches that found nothing good in the last {days} days (times asked, query):")
    for query, count in rows:
        print(f"{count:6d}  {query}")
    return 0


def run(args, settings) -> int:
    if args.action == "misses":
        return asyncio.run(_misses(settings, args.days or 30, args.limit))
    today = args.today or dt.date.today()
    if args.action == "stale":
        from knowledge.loader import DATA_DIR, load_kb
        from knowledge.stale import report

        return report(load_kb(settings.kb_dir or DATA_DIR, strict=False), today, args.days or 60, sys.stdout)
    from bot.i18n import Translator
    from knowledge.check import run_check

    # The first screen is measured as Ukrainian readers see it, with the bot's own labels.
    return run_check(settings.kb_dir, args.required, sys.stdout, today=today, tr=Translator("uk"), lenient=args.lenient)
