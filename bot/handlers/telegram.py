"""Telegram channel (aiogram 3): Bot API updates in, rendered replies out.

The adapter only translates: a message or callback query becomes an `Incoming`,
the core's `Reply`s become sendMessage / editMessageText calls within the Bot API
limits (4096 characters, 64-byte callback data). 429 answers are waited out and
retried; a 403 ("bot was blocked by the user") marks the person as blocked.
"""

from __future__ import annotations

import asyncio
import logging

from aiogram import Bot, Dispatcher, F, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import AnswerCallbackQuery, EditMessageText, SendDocument, SendMessage, SendPhoto, TelegramMethod
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)
from aiohttp import web

from bot.config import Settings
from bot.delivery.worker import DeliveryWorker, Outcome
from bot.dialogs.core import BotCore
from bot.dialogs.events import Incoming, Reply
from bot.dialogs.payloads import MAX_PAYLOAD_BYTES
from bot.handlers.textsplit import split_text
from storage import repo

log = logging.getLogger(__name__)

CHANNEL = "telegram"
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_ANSWER_LIMIT = 200
MAX_RETRIES = 3
WEBHOOK_PATH = "/telegram/webhook"


def make_bot(settings: Settings) -> Bot:
    if not settings.telegram_bot_token:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    session = AiohttpSession()
    if settings.telegram_api_base:
        session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_base.rstrip("/")))
    return Bot(settings.telegram_bot_token.get_secret_value(), session=session)


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    rows = []
    for row in reply.buttons:
        out = []
        for b in row:
            if b.url:
                out.append(InlineKeyboardButton(text=b.label, url=b.url))
            else:
                data = b.payload or ""
                if not 1 <= len(data.encode()) <= MAX_PAYLOAD_BYTES:
                    raise ValueError(f"callback data {data!r} does not fit Telegram's 1–64 bytes")
                out.append(InlineKeyboardButton(text=b.label, callback_data=data))
        if out:
            rows.append(out)
    return InlineKeyboardMarkup(inline_keyboard=rows) if rows else None


class Blocked(Exception):
    """The person blocked the bot; nothing more can be sent to them."""


class TelegramChannel:
    def __init__(self, core: BotCore, bot: Bot):
        self.core = core
        self.bot = bot
        self.router = Router(name="hromada")
        self.router.message.register(self.on_message)
        self.router.callback_query.register(self.on_callback, F.message)

    def dispatcher(self) -> Dispatcher:
        dp = Dispatcher()
        dp.include_router(self.router)
        return dp

    # --- inbound ---------------------------------------------------------------------
    async def on_message(self, message: Message) -> None:
        if message.chat.type != "private":
            return  # the bot serves people one to one; groups are not supported
        lang = message.from_user.language_code if message.from_user else None
        event = Incoming.from_text(CHANNEL, str(message.chat.id), message.text or message.caption or "", lang)
        await self.deliver(message.chat.id, await self.core.handle(event))

    async def on_callback(self, query: CallbackQuery) -> None:
        chat_id = query.message.chat.id
        lang = query.from_user.language_code if query.from_user else None
        event = Incoming(CHANNEL, str(chat_id), "button", payload=query.data or "", lang_hint=lang)
        replies = await self.core.handle(event)
        try:
            await self._call(AnswerCallbackQuery(callback_query_id=query.id))
        except TelegramBadRequest:
            pass  # a query older than Telegram keeps: nothing to stop the spinner on
        await self.deliver(chat_id, replies, edit_message_id=query.message.message_id)

    # --- outbound --------------------------------------------------------------------
    async def deliver(self, chat_id: int, replies: list[Reply], edit_message_id: int | None = None,
                      retries: int = MAX_RETRIES) -> bool:
        """Send replies in order. False if the person has blocked the bot.

        A 429 is waited out up to `retries` times (answers to a person who is waiting);
        the delivery worker passes 0 and reschedules instead of sleeping."""
        try:
            for reply in replies:
                if reply.edit and edit_message_id is not None and await self._edit(chat_id, edit_message_id, reply, retries):
                    continue
                await self._send(chat_id, reply, retries)
        except Blocked:
            async with self.core.db.sessions() as session, session.begin():
                await repo.mark_blocked(session, CHANNEL, str(chat_id))
            log.info("a Telegram user blocked the bot; marked and will not be messaged")
            return False
        return True

    async def send_proactive(self, external_id: str, replies: list[Reply]) -> bool:
        """A message the person did not just ask for (notifications): skipped if they blocked us."""
        async with self.core.db.sessions() as session:
            user = await repo.find_user(session, CHANNEL, external_id)
        if user is None or user.blocked_at is not None:
            return False
        return await self.deliver(int(external_id), replies)

    async def _send(self, chat_id: int, reply: Reply, retries: int = MAX_RETRIES) -> None:
        markup = keyboard(reply)
        parts = split_text(reply.text, TEXT_LIMIT) if reply.text else []
        for n, part in enumerate(parts):
            last = n == len(parts) - 1
            await self._call(SendMessage(chat_id=chat_id, text=part, reply_markup=markup if last else None), retries)
        for att in reply.attachments:
            file = BufferedInputFile(att.data, filename=att.filename)
            caption = att.caption[:CAPTION_LIMIT] or None
            if att.kind == "image":
                await self._call(SendPhoto(chat_id=chat_id, photo=file, caption=caption), retries)
            else:
                await self._call(SendDocument(chat_id=chat_id, document=file, caption=caption), retries)

    async def _edit(self, chat_id: int, message_id: int, reply: Reply, retries: int = MAX_RETRIES) -> bool:
        """Update the message in place (checklist ticks). False if it must be sent anew."""
        if len(reply.text) > TEXT_LIMIT or reply.attachments:
            return False
        try:
            await self._call(
                EditMessageText(chat_id=chat_id, message_id=message_id, text=reply.text, reply_markup=keyboard(reply)),
                retries,
            )
        except TelegramBadRequest as exc:
            if "not modified" in str(exc).lower():
                return True
            return False  # too old to edit, deleted, …: send a fresh message instead
        return True

    async def _call(self, method: TelegramMethod, retries: int = MAX_RETRIES):
        for attempt in range(retries + 1):
            try:
                return await self.bot(method)
            except TelegramRetryAfter as exc:
                if attempt == retries:
                    raise
                log.warning("Telegram asked to wait %s s (429)", exc.retry_after)
                await asyncio.sleep(exc.retry_after)
            except TelegramForbiddenError as exc:
                raise Blocked() from exc
        return None


class TelegramSender:
    """Outbox sender for Telegram (status notifications, reminders)."""

    channel = CHANNEL

    def __init__(self, telegram: TelegramChannel):
        self.telegram = telegram

    async def send(self, external_id: str, replies: list[Reply]) -> Outcome:
        try:
            ok = await self.telegram.deliver(int(external_id), replies, retries=0)
        except TelegramRetryAfter as exc:
            return Outcome("retry", retry_after=float(exc.retry_after), error="429 Too Many Requests")
        except (TelegramNetworkError, TelegramServerError) as exc:
            return Outcome("retry", error=type(exc).__name__)
        except TelegramBadRequest as exc:
            return Outcome("failed", error=exc.message)
        return Outcome("sent") if ok else Outcome("blocked")


def start_delivery(core: BotCore, telegram: TelegramChannel, stop: asyncio.Event) -> asyncio.Task:
    worker = DeliveryWorker(core.db, core.kb, [TelegramSender(telegram)], poll=core.settings.delivery_poll_seconds,
                            settings=core.settings)
    return asyncio.create_task(worker.run(stop), name="delivery")


async def run_polling(core: BotCore, settings: Settings) -> None:
    bot = make_bot(settings)
    channel = TelegramChannel(core, bot)
    stop = asyncio.Event()
    delivery = start_delivery(core, channel, stop)
    try:
        await bot.delete_webhook(drop_pending_updates=False)
        await channel.dispatcher().start_polling(bot, handle_signals=True, close_bot_session=True)
    finally:
        stop.set()
        await delivery
        await bot.session.close()


def setup_telegram_webhook(app: web.Application, core: BotCore, settings: Settings, bot: Bot | None = None) -> TelegramChannel:
    """Mount the Telegram webhook (secret-token header checked in constant time by aiogram)."""
    from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application

    bot = bot or make_bot(settings)
    channel = TelegramChannel(core, bot)
    dp = channel.dispatcher()
    secret = settings.telegram_webhook_secret.get_secret_value() if settings.telegram_webhook_secret else None
    if not secret:
        raise ValueError("TELEGRAM_WEBHOOK_SECRET must be set for webhook mode (1–256 of A-Z a-z 0-9 _ -)")
    SimpleRequestHandler(dispatcher=dp, bot=bot, secret_token=secret, handle_in_background=True).register(
        app, path=WEBHOOK_PATH
    )
    setup_application(app, dp, bot=bot)
    if settings.public_url:

        async def register_webhook(_app: web.Application) -> None:
            await bot.set_webhook(settings.public_url.rstrip("/") + WEBHOOK_PATH, secret_token=secret)

        app.on_startup.append(register_webhook)
    return channel


async def run_webhook_server(core: BotCore, settings: Settings) -> None:
    from bot.web import build_web_app

    app = build_web_app(core, settings)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, settings.serve_host, settings.serve_port)
    await site.start()
    log.info("serving webhooks on %s:%s", settings.serve_host, settings.serve_port)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
