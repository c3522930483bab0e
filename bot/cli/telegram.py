"""`run_bot.py telegram`: the Telegram bot with long polling (and the delivery worker).

An update is confirmed to Telegram (the next getUpdates offset) only after it was handled and its
answers queued. SIGTERM/SIGINT: stop polling, finish the batch in flight, drain delivery, exit 0.
"""

from __future__ import annotations

import asyncio
import signal
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
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        async with app.delivering([r.sender for r in runtimes if r.sender]):
            await run_polling(app, runtimes[0], stop)  # type: ignore[arg-type]
    finally:
        for runtime in runtimes:
            await runtime.close()
        await app.close()
    return 0


def run(args, settings) -> int:
    return asyncio.run(_main(settings))
