"""`run_bot.py serve`: HTTP server for webhooks and the status API (and the delivery worker)."""

from __future__ import annotations

import asyncio

NAME = "serve"
HELP = "serve webhooks and the status API over HTTP"
ORDER = 30


def add_arguments(parser) -> None:
    pass


async def _main(settings) -> int:
    from bot.app import create_core
    from bot.handlers.telegram import run_webhook_server

    core = await create_core(settings)
    try:
        await run_webhook_server(core, settings)
    finally:
        await core.db.dispose()
    return 0


def run(args, settings) -> int:
    return asyncio.run(_main(settings))
