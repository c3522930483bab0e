"""`run_bot.py status`: import application statuses; manage API tokens for CNAP systems."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

NAME = "status"
HELP = "application statuses: import files, API tokens"
ORDER = 60


def add_arguments(parser) -> None:
    sub = parser.add_subparsers(dest="status_cmd", required=True)
    imp = sub.add_parser("import", help="import statuses from a CSV or XLSX file (columns: see README)")
    imp.add_argument("file", type=Path)
    imp.add_argument("--source", default="import", help="name of the system the file comes from")
    imp.add_argument("--allow-backward", action="store_true",
                     help="let rows move an issued or refused application to another status")
    imp.add_argument("--require-secret", action="store_true",
                     help="refuse rows that leave an application without a phone or code (default: a warning)")
    token = sub.add_parser("token", help="API tokens for CNAP systems")
    token.add_argument("action", choices=["create", "revoke", "list"])
    token.add_argument("name", nargs="?", help="the system's name, e.g. vulyk")


def _progress(done: int, total: int) -> None:
    if sys.stderr.isatty() and total:
        width = 30
        filled = width * done // total
        print(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}", end="", file=sys.stderr, flush=True)


async def _import(db, settings, args) -> int:
    from bot.features.status.importer import ImportError_, import_file
    from knowledge.loader import DATA_DIR, load_kb

    kb = load_kb(settings.kb_dir or DATA_DIR, strict=False)
    try:
        summary = await import_file(db, args.file, kb=kb, key=settings.secret_key_bytes(), source=args.source,
                                    progress=_progress, allow_backward=args.allow_backward,
                                    require_secret=args.require_secret)
    except (ImportError_, OSError) as exc:
        print(f"Cannot import: {exc}", file=sys.stderr)
        return 2
    if sys.stderr.isatty():
        print(file=sys.stderr)
    report = [(line, f"rejected: {reason}") for line, reason in summary.rejected]
    report += [(line, f"refused: {reason}") for line, reason in summary.refused]
    report += [(line, "warning: no phone or code, so nobody can look this application up") for line in summary.no_secret]
    for line, what in sorted(report):
        print(f"line {line}: {what}")
    print(summary.line())
    return 1 if summary.rejected or summary.refused else 0


async def _token(db, args) -> int:
    from sqlalchemy.exc import IntegrityError

    from bot.features.status import store as apps

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


async def _main(args, settings) -> int:
    from storage.db import open_database

    db = await open_database(settings.database_url)
    try:
        if args.status_cmd == "import":
            return await _import(db, settings, args)
        return await _token(db, args)
    finally:
        await db.dispose()


def run(args, settings) -> int:
    return asyncio.run(_main(args, settings))
