#!/usr/bin/env python3
"""Hromada Bot: the one entry point.

    python run_bot.py                 console chat (or Telegram polling if TELEGRAM_BOT_TOKEN is set)
    python run_bot.py --help          every subcommand (one module each in bot/cli/)
"""

from __future__ import annotations

import argparse
import sys

from pydantic import ValidationError

from bot.cli import commands
from bot.config import get_settings
from bot.logging_setup import setup_logging


def build_parser() -> tuple[argparse.ArgumentParser, dict]:
    parser = argparse.ArgumentParser(prog="run_bot.py", description="Hromada Bot — community assistant for Telegram and Viber")
    sub = parser.add_subparsers(dest="cmd", metavar="COMMAND")
    handlers = {}
    for module in commands():
        module.add_arguments(sub.add_parser(module.NAME, help=module.HELP, description=module.__doc__))
        handlers[module.NAME] = module
    return parser, handlers


def main(argv: list[str] | None = None) -> int:
    parser, handlers = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = get_settings()
    except ValidationError as exc:  # a setting that cannot work: say which, before anything starts
        for err in exc.errors():
            print(f"Configuration error: {err['msg'].removeprefix('Value error, ')}", file=sys.stderr)
        return 2
    if args.cmd is None:  # the newcomer's default: console unless a Telegram token is configured
        args = parser.parse_args(["telegram" if settings.telegram_bot_token else "console"])
    long_running = args.cmd in ("telegram", "serve", "deliver")
    from bot.app import secrets_of

    setup_logging(settings.log_level if long_running else "WARNING", secrets_of(settings))
    from storage.db import DatabaseMissing, missing_message

    try:
        return handlers[args.cmd].run(args, settings)
    except DatabaseMissing:
        print(missing_message(settings.database_url), file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
