#!/usr/bin/env python3
"""Hromada Bot: the one entry point.

    python run_bot.py                 console chat (or Telegram polling if TELEGRAM_BOT_TOKEN is set)
    python run_bot.py console [--user ID] [--lang uk|en] [--start PAYLOAD]
    python run_bot.py telegram        Telegram long polling
    python run_bot.py serve           webhooks over HTTP (Telegram)
    python run_bot.py db upgrade      apply database migrations
    python run_bot.py kb check        validate the knowledge base
    python run_bot.py search [QUERY] [--lang uk|en] [--limit N] [--json]
    python run_bot.py status import FILE | status token create|revoke|list [NAME]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bot.config import Settings, get_settings
from bot.logging_setup import setup_logging

def _secrets(settings: Settings) -> list[str]:
    return [s.get_secret_value() for s in (settings.telegram_bot_token, settings.telegram_webhook_secret) if s]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="run_bot.py", description="Hromada Bot — community assistant for Telegram and Viber")
    sub = parser.add_subparsers(dest="cmd")

    console = sub.add_parser("console", help="chat with the bot in this terminal")
    console.add_argument("--user", default="console-user", help="who you are (a separate conversation per id)")
    console.add_argument("--lang", choices=["uk", "en"], default=None, help="interface language for a new user")
    console.add_argument("--start", default="", metavar="PAYLOAD", help="start as if from a deep link")

    sub.add_parser("telegram", help="run the Telegram bot with long polling")
    sub.add_parser("serve", help="serve webhooks (Telegram) over HTTP")

    db = sub.add_parser("db", help="database maintenance")
    db.add_argument("action", choices=["upgrade"])

    kb = sub.add_parser("kb", help="knowledge-base tools")
    kb.add_argument("action", choices=["check"])
    kb.add_argument("--required", type=Path, default=None, help="CSV of service ids that must be present")

    status = sub.add_parser("status", help="application statuses: import files, API tokens")
    status_sub = status.add_subparsers(dest="status_cmd", required=True)
    imp = status_sub.add_parser("import", help="import statuses from a CSV or XLSX file (see README for columns)")
    imp.add_argument("file", type=Path)
    imp.add_argument("--source", default="import", help="name of the system the file comes from")
    token = status_sub.add_parser("token", help="API tokens for CNAP systems")
    token.add_argument("action", choices=["create", "revoke", "list"])
    token.add_argument("name", nargs="?", help="the system's name, e.g. vulyk")

    search = sub.add_parser("search", help="try the service search (reads queries from stdin without QUERY)")
    search.add_argument("query", nargs="*")
    search.add_argument("--lang", choices=["uk", "en"], default="uk")
    search.add_argument("--limit", type=int, default=5)
    search.add_argument("--json", action="store_true")
    return parser


async def _console(settings: Settings, args: argparse.Namespace) -> int:
    from bot.app import create_core
    from bot.handlers.console import ConsoleChannel

    core = await create_core(settings)
    try:
        await ConsoleChannel(core, args.user, args.lang).run(sys.stdin, start_payload=args.start)
    finally:
        await core.db.dispose()
    return 0


async def _telegram(settings: Settings, webhook: bool) -> int:
    from bot.app import create_core
    from bot.handlers.telegram import run_polling, run_webhook_server

    if not settings.telegram_bot_token:
        print("TELEGRAM_BOT_TOKEN is not set (see README).", file=sys.stderr)
        return 2
    core = await create_core(settings)
    try:
        if webhook:
            await run_webhook_server(core, settings)
        else:
            await run_polling(core, settings)
    finally:
        await core.db.dispose()
    return 0


def _kb_check(args: argparse.Namespace, settings: Settings) -> int:
    from knowledge.check import run_check

    return run_check(settings.kb_dir, args.required, sys.stdout)


def _search(args: argparse.Namespace, settings: Settings) -> int:
    from knowledge.loader import DATA_DIR, load_kb
    from knowledge.search.cli import run_search

    kb = load_kb(settings.kb_dir or DATA_DIR)
    query = " ".join(args.query) or None
    return run_search(query, lang=args.lang, limit=args.limit, as_json=args.json, kb=kb, stdin=sys.stdin, stdout=sys.stdout)


async def _status(settings: Settings, args: argparse.Namespace) -> int:
    from knowledge.loader import DATA_DIR, load_kb
    from storage import applications as apps
    from storage.db import open_database

    db = await open_database(settings.database_url)
    try:
        if args.status_cmd == "import":
            from bot.status.importer import ImportError_, import_file

            def progress(done: int, total: int) -> None:
                if sys.stderr.isatty() and total:
                    width = 30
                    filled = width * done // total
                    print(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}", end="", file=sys.stderr, flush=True)

            kb = load_kb(settings.kb_dir or DATA_DIR, strict=False)
            try:
                summary = await import_file(db, args.file, kb=kb, key=settings.secret_key_bytes(), source=args.source,
                                            progress=progress)
            except (ImportError_, OSError) as exc:
                print(f"\nCannot import: {exc}", file=sys.stderr)
                return 2
            if sys.stderr.isatty():
                print(file=sys.stderr)
            for line, reason in summary.rejected:
                print(f"line {line}: rejected: {reason}")
            print(summary.line())
            return 1 if summary.rejected else 0
        async with db.sessions() as session, session.begin():
            if args.action == "list":
                for tok in await apps.list_tokens(session):
                    state = f"revoked {tok.revoked_at:%Y-%m-%d}" if tok.revoked_at else "active"
                    used = f", last used {tok.last_used_at:%Y-%m-%d %H:%M}" if tok.last_used_at else ""
                    print(f"{tok.name}: {state}{used}")
                return 0
            if not args.name:
                print("Name the system, e.g.: status token create vulyk", file=sys.stderr)
                return 2
            if args.action == "create":
                from sqlalchemy.exc import IntegrityError

                try:
                    token = await apps.create_token(session, args.name)
                except IntegrityError:
                    print(f"A token named {args.name!r} exists already; revoke it or pick another name.", file=sys.stderr)
                    return 2
                print(f"API token for {args.name} (shown once; only its hash is stored):\n{token}")
                return 0
            if not await apps.revoke_token(session, args.name):
                print(f"No active token named {args.name!r}.", file=sys.stderr)
                return 1
            print(f"Token {args.name!r} revoked.")
            return 0
    finally:
        await db.dispose()


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = get_settings()
    setup_logging(settings.log_level if args.cmd in ("telegram", "serve") else "WARNING", _secrets(settings))

    cmd = args.cmd
    if cmd is None:
        if settings.telegram_bot_token:
            cmd = "telegram"
        else:
            args = build_parser().parse_args(["console"])
            cmd = "console"
    if cmd == "console":
        return asyncio.run(_console(settings, args))
    if cmd in ("telegram", "serve"):
        return asyncio.run(_telegram(settings, webhook=cmd == "serve"))
    if cmd == "db":
        from storage.db import run_upgrade_blocking

        run_upgrade_blocking(settings.database_url)
        print("Database is up to date.")
        return 0
    if cmd == "kb":
        return _kb_check(args, settings)
    if cmd == "search":
        return _search(args, settings)
    if cmd == "status":
        return asyncio.run(_status(settings, args))
    return 2


if __name__ == "__main__":
    sys.exit(main())
