"""`run_bot.py deliver`: only the delivery worker (scale out: run several against one PostgreSQL).

`telegram` and `serve` already run a worker; extra `deliver` processes share the
outbox safely (rows are claimed with leases, the rate budget is shared in the DB).
"""

from __future__ import annotations

import asyncio
import signal
import sys

NAME = "deliver"
HELP = "run only the outbound delivery worker (reminders, notifications)"
ORDER = 35


def add_arguments(parser) -> None:
    pass


async def _main(settings) -> int:
    from bot.app import build_app

    app = await build_app(settings, search=False)
    runtimes = app.open_channels()
    senders = [r.sender for r in runtimes if r.sender is not None]
    if not senders:
        print("No channel to deliver to: set TELEGRAM_BOT_TOKEN and/or VIBER_AUTH_TOKEN (see README).", file=sys.stderr)
        await app.close()
        return 2
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await app.delivery_worker(senders).run(stop)
    finally:
        for runtime in runtimes:
            await runtime.close()
        await app.close()
    return 0


def run(args, settings) -> int:
    return asyncio.run(_main(settings))
