"""The HTTP side of `run_bot.py serve`: webhooks, the status API, health, and delivery."""

from __future__ import annotations

import asyncio

from aiohttp import web

from bot.config import Settings
from bot.delivery.worker import DeliveryWorker, Sender
from bot.dialogs.core import BotCore
from bot.status.api import setup_status_api


def build_web_app(core: BotCore, settings: Settings, *, telegram_bot=None) -> web.Application:
    app = web.Application(client_max_size=1024 * 1024)
    senders: list[Sender] = []

    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    app.router.add_get("/healthz", healthz)
    setup_status_api(app, core)
    if settings.telegram_bot_token:
        from bot.handlers.telegram import TelegramSender, setup_telegram_webhook

        senders.append(TelegramSender(setup_telegram_webhook(app, core, settings, telegram_bot)))
    if settings.viber_auth_token:
        from bot.handlers.viber import ViberSender, setup_viber_webhook

        senders.append(ViberSender(setup_viber_webhook(app, core, settings)))

    async def delivery(_app: web.Application):
        stop = asyncio.Event()
        worker = DeliveryWorker(core.db, core.kb, senders, poll=settings.delivery_poll_seconds, settings=settings)
        task = asyncio.create_task(worker.run(stop), name="delivery") if senders else None
        yield
        stop.set()
        if task:
            await task

    app.cleanup_ctx.append(delivery)
    return app
