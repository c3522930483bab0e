"""The Telegram adapter (aiogram 3): Bot API updates in, rendered replies out.

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
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
)
from aiohttp import web

from bot.channels.base import Host
from bot.channels.telegram.names import CHANNEL, WEBHOOK_PATH
from bot.channels.textsplit import split_text
from bot.config import Settings
from bot.core.events import Incoming, Location, Media, Reply
from bot.core.payloads import MAX_PAYLOAD_BYTES
from bot.delivery.sender import Outcome

log = logging.getLogger(__name__)

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_ANSWER_LIMIT = 200
MAX_RETRIES = 3


def make_bot(settings: Settings) -> Bot:
    if not settings.telegram_bot_token:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    session = AiohttpSession()
    if settings.telegram_api_base:
        session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_base.rstrip("/")))
    return Bot(settings.telegram_bot_token.get_secret_value(), session=session)


def to_incoming(message: Message) -> Incoming:
    """A Telegram message in the neutral vocabulary: text, a command, a file of some kind, a location."""
    chat, lang = str(message.chat.id), message.from_user.language_code if message.from_user else None
    if message.location is not None:
        loc = Location(message.location.latitude, message.location.longitude)
        return Incoming(CHANNEL, chat, "location", location=loc, lang_hint=lang)
    media = _media(message)
    if media is not None:
        return Incoming(CHANNEL, chat, "media", text=(message.caption or "").strip(), media=media, lang_hint=lang)
    return Incoming.from_text(CHANNEL, chat, message.text or "", lang)


def _media(message: Message) -> Media | None:
    if message.photo:
        best = message.photo[-1]
        return Media("photo", best.file_id, "image/jpeg", best.file_size or 0)
    for kind, obj in (("voice", message.voice), ("audio", message.audio), ("video", message.video or message.video_note),
                      ("sticker", message.sticker), ("document", message.document or message.animation)):
        if obj is not None:
            return Media(kind, obj.file_id, getattr(obj, "mime_type", None) or "", obj.file_size or 0,  # type: ignore[arg-type]
                         getattr(obj, "file_name", None) or "")
    if message.text is None and message.caption is None:  # a contact, a poll, a dice…
        return Media("other")
    return None


def location_keyboard(reply: Reply) -> ReplyKeyboardMarkup | None:
    """Buttons that ask for the person's location: Telegram allows them only on the reply keyboard."""
    rows = [[KeyboardButton(text=b.label, request_location=True) for b in row if b.request_location] for row in reply.buttons]
    rows = [r for r in rows if r]
    return ReplyKeyboardMarkup(keyboard=rows, resize_keyboard=True, one_time_keyboard=True) if rows else None


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    rows = []
    for row in reply.buttons:
        out = []
        for b in row:
            if b.request_location:
                continue  # on the reply keyboard (location_keyboard)
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
    """One bot's adapter: updates in (polling or webhook), replies out."""

    def __init__(self, host: Host, bot: Bot):
        self.host = host
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
        await self.deliver(message.chat.id, await self.host.handle(to_incoming(message)))

    async def on_callback(self, query: CallbackQuery) -> None:
        if query.message is None:  # F.message filters these out; a button of a message Telegram no longer has
            return
        chat_id = query.message.chat.id
        lang = query.from_user.language_code if query.from_user else None
        event = Incoming(CHANNEL, str(chat_id), "button", payload=query.data or "", lang_hint=lang)
        replies = await self.host.handle(event)
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
            if retries:  # answering the person: apply the rule here (the outbox's worker does it for its rows)
                await self.host.unreachable(CHANNEL, str(chat_id), "blocked the bot (Telegram 403)")
            return False
        return True

    async def _send(self, chat_id: int, reply: Reply, retries: int = MAX_RETRIES) -> None:
        markup = keyboard(reply)
        asks_location = location_keyboard(reply)
        parts = split_text(reply.text, TEXT_LIMIT) if reply.text else []
        for n, part in enumerate(parts):
            last = n == len(parts) - 1
            await self._call(SendMessage(chat_id=chat_id, text=part, reply_markup=markup if last else None), retries)
        if asks_location is not None:  # a message may carry one keyboard: the location request follows
            label = next(b.label for b in reply.all_buttons() if b.request_location)
            await self._call(SendMessage(chat_id=chat_id, text=label, reply_markup=asks_location), retries)
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


async def run_polling(host: Host, runtime: TelegramRuntime) -> None:
    """Long polling until SIGINT/SIGTERM (aiogram handles the signals)."""
    bot = runtime.bot
    await bot.delete_webhook(drop_pending_updates=False)
    await runtime.channel.dispatcher().start_polling(bot, handle_signals=True, close_bot_session=False)


class TelegramRuntime:
    def __init__(self, host: Host, bot: Bot):
        self.host = host
        self.bot = bot
        self.channel = TelegramChannel(host, bot)
        self.sender = TelegramSender(self.channel)

    def mount(self, app: web.Application) -> None:
        """The webhook (secret-token header checked in constant time by aiogram)."""
        from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application

        settings = self.host.settings
        secret = settings.telegram_webhook_secret.get_secret_value() if settings.telegram_webhook_secret else None
        if not secret:
            raise ValueError("TELEGRAM_WEBHOOK_SECRET must be set for webhook mode (1–256 of A-Z a-z 0-9 _ -)")
        dp = self.channel.dispatcher()
        SimpleRequestHandler(dispatcher=dp, bot=self.bot, secret_token=secret, handle_in_background=True).register(
            app, path=WEBHOOK_PATH
        )
        setup_application(app, dp, bot=self.bot)
        if settings.public_url:
            url = settings.public_url.rstrip("/") + WEBHOOK_PATH

            async def register_webhook(_app: web.Application) -> None:
                await self.bot.set_webhook(url, secret_token=secret)

            app.on_startup.append(register_webhook)

    async def close(self) -> None:
        await self.bot.session.close()
