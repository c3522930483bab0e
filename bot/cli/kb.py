"""`run_bot.py kb check` validates the knowledge base; `kb misses` shows what people searched
for and did not find (recorded without any link to who asked), to decide what to add."""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
from pathlib import Path

NAME = "kb"
HELP = "knowledge-base tools: check, misses"
ORDER = 41


def add_arguments(parser) -> None:
    parser.add_argument("action", choices=["check", "misses"])
    parser.add_argument("--required", type=Path, default=None, help="check: CSV of service ids that must be present")
    parser.add_argument("--days", type=int, default=30, help="misses: look back this many days")
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
        return asyncio.run(_misses(settings, args.days, args.limit))
    from knowledge.check import run_check

    return run_check(settings.kb_dir, args.required, sys.stdout)
