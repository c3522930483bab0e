"""`run_bot.py serve`: HTTP server for webhooks and the status API (and the delivery worker)."""

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
