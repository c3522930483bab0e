"""A bare aiogram echo bot behind a webhook: the yardstick for the CPU an update costs.

    TELEGRAM_BOT_TOKEN=… TELEGRAM_API_BASE=… TELEGRAM_WEBHOOK_SECRET=… BOT_SERVE_PORT=… python bench/echo_bot.py

The same aiogram, aiohttp and webhook handler as `run_bot.py serve` uses, and one sendMessage per
update; nothing else. bench/message_path_bench.py measures the CPU it spends per update.
"""

from __future__ import annotations

import asyncio
import os
import signal

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import CallbackQuery, Message
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web


async def main() -> None:
    session = AiohttpSession(api=TelegramAPIServer.from_base(os.environ["TELEGRAM_API_BASE"].rstrip("/")))
    bot = Bot(os.environ["TELEGRAM_BOT_TOKEN"], session=session)
    dp = Dispatcher()

    @dp.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "?")

    @dp.callback_query()
    async def pressed(query: CallbackQuery) -> None:
        await bot.send_message(query.from_user.id, query.data or "?")

    app = web.Application()
    SimpleRequestHandler(dispatcher=dp, bot=bot, secret_token=os.environ["TELEGRAM_WEBHOOK_SECRET"],
                         handle_in_background=True).register(app, path="/telegram/webhook")
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", int(os.environ["BOT_SERVE_PORT"])).start()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    await stop.wait()
    await runner.cleanup()
    await bot.session.close()


if __name__ == "__main__":
    asyncio.run(main())
