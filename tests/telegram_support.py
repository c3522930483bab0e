"""Run the app's Telegram channel against the fake Bot API: long polling and, if wanted, delivery."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.channels.telegram.adapter import run_polling


@asynccontextmanager
async def telegram_running(app, *, delivery: bool = True, polling: bool = True) -> AsyncIterator:
    """Yield the Telegram runtime (`.bot`, `.channel`, `.sender`) while it polls and delivers.

    delivery=False: no worker for queued proactive messages (tests run `run_once` themselves); the
    answers to what people write still go out (polling runs a worker for those)."""
    runtime = app.open_channels(["telegram"])[0]
    stop = asyncio.Event()
    async with contextlib.AsyncExitStack() as stack:
        if delivery:
            await stack.enter_async_context(app.delivering([runtime.sender]))
        poller = asyncio.create_task(run_polling(app, runtime, stop, timeout=1)) if polling else None
        try:
            yield runtime
        finally:
            stop.set()
            if poller is not None:
                await asyncio.wait_for(poller, 10)
    await runtime.close()
