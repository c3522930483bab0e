"""The HTTP server of `run_bot.py serve`: health, every channel's webhooks, every feature's routes,
the staff web console, and the delivery worker for the channels that can send.

* `/healthz`: the process is alive (200 while it runs). `/readyz`: it can do its work — the database
  is reachable, writable, migrated, and the one it started with (503 with the reason otherwise).
* A database that vanished or went bad is noticed: requests that would write are refused with 503
  (messengers send their update again later; nothing is acknowledged that was not stored).
* No error answers with a traceback: the API's errors are JSON (bot/features/status/api.py), others
  a plain status line; the log gets the error without statement parameters.
* SIGTERM (serve_forever): stop accepting, finish what is in flight (at most BOT_DRAIN_SECONDS), give
  back what was not sent, exit 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from typing import TYPE_CHECKING

from aiohttp import web

from bot.channels.base import Runtime
from bot.webui import mount_console
from storage import inbox
from storage.db import unavailable
from storage.types import clock_scope

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)
WATCH_EVERY = 5.0  # seconds between checks that the database is still the one we started with
PURGE_EVERY = 3600.0


def build_web_app(app: App, runtimes: list[Runtime]) -> web.Application:
    @web.middleware
    async def guard(request: web.Request, handler):
        with clock_scope(app.services.clock.now):
            try:
                return await handler(request)
            except web.HTTPException:
                raise
            except Exception as exc:
                if unavailable(exc):
                    log.error("%s %s: the database cannot be used (%s)", request.method, request.path,
                              type(getattr(exc, "orig", exc)).__name__)
                    raise web.HTTPServiceUnavailable(headers={"Retry-After": "30"}) from None
                log.error("%s %s failed: %s", request.method, request.path, type(exc).__name__, exc_info=exc)
                raise web.HTTPInternalServerError() from None

    web_app = web.Application(client_max_size=1024 * 1024, middlewares=[guard])

    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    async def readyz(_request: web.Request) -> web.Response:
        checks = await app.db.check()
        if not app.accepting:
            checks.update(ok=False, problem="stopping")
        return web.json_response(checks, status=200 if checks["ok"] else 503)

    web_app.router.add_get("/healthz", healthz)
    web_app.router.add_get("/readyz", readyz)
    for feature in app.features:
        if feature.web is not None:
            feature.web(web_app, app.services, app.db)
    mount_console(web_app, app.services, app.db, app.features)  # the staff web console under /console
    for runtime in runtimes:
        runtime.mount(web_app)
    senders = [r.sender for r in runtimes if r.sender is not None]

    async def delivery(_app: web.Application):
        watcher = asyncio.create_task(_watch(app), name="database-watch")
        async with app.delivering(senders):
            yield
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
        for runtime in runtimes:  # after the worker: it may still be sending
            await runtime.close()

    web_app.cleanup_ctx.append(delivery)
    return web_app


async def _watch(app: App) -> None:
    """Notice a replaced database between readiness probes; drop inbox entries no platform re-sends."""
    since_purge = PURGE_EVERY
    while True:
        await asyncio.sleep(WATCH_EVERY)
        with contextlib.suppress(Exception):
            await app.db.check()
        since_purge += WATCH_EVERY
        if since_purge >= PURGE_EVERY:
            since_purge = 0.0
            with contextlib.suppress(Exception):
                async with app.db.sessions() as session, session.begin():
                    await inbox.purge(session, app.services.clock.now())


async def serve_forever(app: App, runtimes: list[Runtime]) -> None:
    """Serve until SIGTERM or SIGINT, then stop cleanly within the drain time."""
    web_app = build_web_app(app, runtimes)
    runner = web.AppRunner(web_app, handle_signals=False, shutdown_timeout=app.settings.drain_seconds)
    await runner.setup()
    site = web.TCPSite(runner, app.settings.serve_host, app.settings.serve_port)
    await site.start()
    log.info("serving on %s:%s", app.settings.serve_host, app.settings.serve_port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
        log.info("stopping: finishing what is in flight (at most %s s)", app.settings.drain_seconds)
    finally:
        app.accepting = False
        await runner.cleanup()  # stops listening, waits for requests in flight, then drains delivery
