"""`run_bot.py deliver`: only the delivery worker (scale out: run several against one PostgreSQL).

`telegram` and `serve` already run a worker; extra `deliver` processes share the outbox safely
(rows are claimed with fencing leases, the rate budgets are shared in the database). SIGTERM: calls in
flight finish (BOT_DRAIN_SECONDS), what was not sent is given back at once, exit 0.
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
        async with app.delivering(senders):
            await stop.wait()
    finally:
        for runtime in runtimes:
            await runtime.close()
        await app.close()
    return 0


def run(args, settings) -> int:
    return asyncio.run(_main(settings))
