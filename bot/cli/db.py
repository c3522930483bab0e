"""`run_bot.py db init|upgrade`: create the database, or apply migrations to it (also done on every start).

Nothing else creates a database: a bot that finds none where its settings point refuses to start
(the file was deleted, the disk was not mounted, the URL is wrong) instead of starting empty.
"""

from __future__ import annotations

import asyncio

NAME = "db"
HELP = "database maintenance: init (create it), upgrade (apply migrations to an existing one)"
ORDER = 40


def add_arguments(parser) -> None:
    parser.add_argument("action", choices=["init", "upgrade"])


async def _main(action: str, url: str) -> int:
    from storage.db import open_database

    db = await open_database(url, create=action == "init")
    await db.dispose()
    print("The database is ready and up to date." if action == "init" else "Database is up to date.")
    return 0


def run(args, settings) -> int:
    return asyncio.run(_main(args.action, settings.database_url))
