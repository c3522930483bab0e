"""`run_bot.py serve`: HTTP server for webhooks and the status API (and the delivery worker).

Stops cleanly on SIGTERM: no new update is taken, what is in flight finishes (BOT_DRAIN_SECONDS),
what could not be sent stays queued for the next start.
"""

from __future__ import annotations

import asyncio

NAME = "serve"
HELP = "serve webhooks and the status API over HTTP"
ORDER = 30


def add_arguments(parser) -> None:
    pass


async def _main(settings) -> int:
    from bot.app import build_app
    from bot.web.server import serve_forever

    app = await build_app(settings)
    try:
        await serve_forever(app, app.open_channels())
    finally:
        await app.close()
    return 0


def run(args, settings) -> int:
    return asyncio.run(_main(settings))
