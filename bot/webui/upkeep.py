"""Background upkeep under `serve` (e.g. folding counts into per-day tables), on the app's clock."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from storage.types import clock_scope

log = logging.getLogger(__name__)


def every(web_app: web.Application, name: str, seconds: float, job: Callable[[], Awaitable[object]],
          now: Callable | None = None) -> None:
    """Run `job` at start and then every `seconds` while the server runs; a failure is logged, not fatal."""

    async def loop() -> None:
        while True:
            try:
                if now is not None:
                    with clock_scope(now):
                        await job()
                else:
                    await job()
            except Exception:
                log.exception("upkeep %s failed; trying again later", name)
            await asyncio.sleep(seconds)

    async def ctx(_app: web.Application):
        task = asyncio.create_task(loop(), name=name)
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    web_app.cleanup_ctx.append(ctx)
