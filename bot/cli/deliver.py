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
    from bot.app import create_core
    from bot.delivery.worker import DeliveryWorker
    from bot.handlers.telegram import TelegramChannel, TelegramSender, make_bot

    if not settings.telegram_bot_token and not settings.viber_auth_token:
        print("No channel to deliver to: set TELEGRAM_BOT_TOKEN and/or VIBER_AUTH_TOKEN (see README).", file=sys.stderr)
        return 2
    core = await create_core(settings)
    senders, closers = [], []
    if settings.telegram_bot_token:
        bot = make_bot(settings)
        senders.append(TelegramSender(TelegramChannel(core, bot)))
        closers.append(bot.session.close)
    if settings.viber_auth_token:
        from bot.handlers.viber import ViberSender, make_viber_channel

        viber = make_viber_channel(core, settings)
        senders.append(ViberSender(viber))
        closers.append(viber.api.close)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        worker = DeliveryWorker(core.db, core.kb, senders, poll=settings.delivery_poll_seconds, settings=settings)
        await worker.run(stop)
    finally:
        for close in closers:
            await close()
        await core.db.dispose()
    return 0


def run(args, settings) -> int:
    return asyncio.run(_main(settings))
