"""Run the app's Telegram channel against the fake Bot API: long polling and, if wanted, delivery."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


@asynccontextmanager
async def telegram_running(app, *, delivery: bool = True, polling: bool = True) -> AsyncIterator:
    """Yield the Telegram runtime (`.bot`, `.channel`, `.sender`) while it polls and delivers."""
    runtime = app.open_channels(["telegram"])[0]
    dp = runtime.channel.dispatcher()
    stop = asyncio.Event()
    worker = asyncio.create_task(app.delivery_worker([runtime.sender]).run(stop)) if delivery else None
    poller = (asyncio.create_task(dp.start_polling(runtime.bot, handle_signals=False, polling_timeout=1))
              if polling else None)
    try:
        yield runtime
    finally:
        stop.set()
        if poller is not None:
            await dp.stop_polling()
            await asyncio.wait_for(poller, 10)
        if worker is not None:
            await worker
        await runtime.close()
