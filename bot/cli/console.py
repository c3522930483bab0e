"""`run_bot.py console`: chat with the bot in a terminal (also the default without a token)."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

NAME = "console"
HELP = "chat with the bot in this terminal"
ORDER = 10


def add_arguments(parser) -> None:
    parser.add_argument("--user", default="console-user", help="who you are (a separate conversation per id)")
    parser.add_argument("--lang", choices=["uk", "en"], default=None, help="interface language for a new user")
    parser.add_argument("--start", default="", metavar="PAYLOAD", help="start as if from a deep link")
    parser.add_argument("--files", type=Path, default=None, metavar="DIR",
                        help="where files the bot sends (QR codes, charts) are saved (default: data/console-files)")


async def _main(args, settings) -> int:
    from bot.app import build_app
    from bot.channels.console import FILES_DIR, ConsoleChannel

    app = await build_app(settings, create=True)  # the newcomer's demo: a local SQLite file is made
    try:
        await ConsoleChannel(app, args.user, args.lang, files_dir=args.files or FILES_DIR).run(
            sys.stdin, start_payload=args.start, delivery=app.delivery_worker)
    finally:
        await app.close()
    return 0


def run(args, settings) -> int:
    try:
        return asyncio.run(_main(args, settings))
    except KeyboardInterrupt:  # Ctrl-C: leave at once, without a traceback
        print(file=sys.stderr)
        return 130
