"""`run_bot.py telegram`: the Telegram bot with long polling (and the delivery worker)."""

from __future__ import annotations

import asyncio
import sys

NAME = "telegram"
HELP = "run the Telegram bot with long polling"
ORDER = 20


def add_arguments(parser) -> None:
    pass


async def _main(settings) -> int:
    from bot.app import create_core
    from bot.handlers.telegram import run_polling

    if not settings.telegram_bot_token:
        print("TELEGRAM_BOT_TOKEN is not set (see README).", file=sys.stderr)
        return 2
    core = await create_core(settings)
    try:
        await run_polling(core, settings)
    finally:
        await core.db.dispose()
    return 0


def run(args, settings) -> int:
    return asyncio.run(_main(settings))
