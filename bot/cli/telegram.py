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
    from bot.app import build_app
    from bot.channels.telegram.adapter import run_polling

    if not settings.telegram_bot_token:
        print("TELEGRAM_BOT_TOKEN is not set (see README).", file=sys.stderr)
        return 2
    app = await build_app(settings)
    runtimes = app.open_channels(["telegram", *(n for n, c in app.channels.items()
                                                if n != "telegram" and c.enabled(settings))])
    telegram = runtimes[0]
    stop = asyncio.Event()
    delivery = asyncio.create_task(app.delivery_worker([r.sender for r in runtimes if r.sender]).run(stop))
    try:
        await run_polling(app, telegram)  # type: ignore[arg-type]
    finally:
        stop.set()
        await delivery
        for runtime in runtimes:
            await runtime.close()
        await app.close()
    return 0


def run(args, settings) -> int:
    return asyncio.run(_main(settings))
