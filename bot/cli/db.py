"""`run_bot.py db upgrade`: apply database migrations (also done on every start)."""

from __future__ import annotations

NAME = "db"
HELP = "database maintenance"
ORDER = 40


def add_arguments(parser) -> None:
    parser.add_argument("action", choices=["upgrade"])


def run(args, settings) -> int:
    from storage.db import run_upgrade_blocking

    run_upgrade_blocking(settings.database_url)
    print("Database is up to date.")
    return 0
