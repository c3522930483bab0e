"""The HTTP server of `run_bot.py serve`: health, every channel's webhooks, every feature's routes,
the staff web console, and the delivery worker for the channels that can send."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from aiohttp import web

from bot.channels.base import Runtime
from bot.webui import mount_console
from storage.types import clock_scope

if TYPE_CHECKING:
    from bot.app import App


def build_web_app(app: App, runtimes: list[Runtime]) -> web.Application:
    @web.middleware
    async def app_clock(request: web.Request, handler):
        with clock_scope(app.services.clock.now):
            return await handler(request)

    web_app = web.Application(client_max_size=1024 * 1024, middlewares=[app_clock])

    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    web_app.router.add_get("/healthz", healthz)
    for feature in app.features:
        if feature.web is not None:
            feature.web(web_app, app.services, app.db)
    mount_console(web_app, app.services, app.db, app.features)  # the staff web console under /console
    for runtime in runtimes:
        runtime.mount(web_app)
    senders = [r.sender for r in runtimes if r.sender is not None]

    async def delivery(_app: web.Application):
        stop = asyncio.Event()
        task = asyncio.create_task(app.delivery_worker(senders).run(stop), name="delivery") if senders else None
        yield
        stop.set()
        if task:
            await task
        for runtime in runtimes:  # after the worker: it may still be sending
            await runtime.close()

    web_app.cleanup_ctx.append(delivery)
    return web_app


async def serve_forever(app: App, runtimes: list[Runtime]) -> None:
    import logging

    web_app = build_web_app(app, runtimes)
    runner = web.AppRunner(web_app)
    await runner.setup()
    site = web.TCPSite(runner, app.settings.serve_host, app.settings.serve_port)
    await site.start()
    logging.getLogger(__name__).info("serving on %s:%s", app.settings.serve_host, app.settings.serve_port)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
