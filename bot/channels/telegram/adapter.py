"""The Telegram adapter (aiogram 3 for the Bot API's types and calls): updates in, rendered replies out.

In: an update (webhook or long polling) is checked and translated — a private message or a button press
becomes an `Incoming` — and taken durably by the host: handled and its answers queued in one database
transaction, recorded by `update_id` so a repeat does nothing. The webhook answers 200 only once that
transaction committed; when the database cannot take it, 503, and Telegram sends it again. Polling
confirms an update (the next offset) only after the same. Forged requests get 401, malformed ones 400,
update types the bot does not handle 200 (taken, nothing to do) — none of them a traceback.

Out: a queued row's replies become sendMessage / editMessageText / sendPhoto / sendDocument calls
within the Bot API's limits (4096 characters, 64-byte callback data), one part at a time behind the
delivery worker's gate (pacing, fencing); what went wrong becomes an `Outcome` the worker acts on.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
from collections.abc import Awaitable, Callable, Iterator
from functools import partial
from typing import Any

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    AiogramError,
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import (
    AnswerCallbackQuery,
    DeleteWebhook,
    EditMessageText,
    GetUpdates,
    SendDocument,
    SendMessage,
    SendPhoto,
    SetWebhook,
    TelegramMethod,
)
from aiogram.methods.base import Response
from aiogram.types import (
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    Update,
)
from aiohttp import web
from pydantic import ValidationError

from bot.channels.base import Host
from bot.channels.telegram.names import CHANNEL, WEBHOOK_PATH
from bot.channels.textsplit import split_text
from bot.config import Settings
from bot.core.events import Incoming, Location, Media, Reply
from bot.core.payloads import MAX_PAYLOAD_BYTES
from bot.delivery.outbox import REPLY
from bot.delivery.sender import Job, Outcome
from storage.db import unavailable

log = logging.getLogger(__name__)

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_ANSWER_LIMIT = 200
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
HANDLED = ("message", "callback_query")  # the update types the bot asks for and takes
POLL_BATCH_CONCURRENCY = 16

Part = Callable[[], Awaitable[None]]

# aiogram parses every answer with `Response[<the method's result type>]`, a pydantic generic model that
# pydantic caches only weakly: in a busy process the garbage collector drops it between calls, and
# rebuilding it costs ~5 ms per API call — more than everything else an update costs. Held here, built once.
_RESPONSE_MODELS = [Response[m.__returning__]  # type: ignore[name-defined]
                    for m in (AnswerCallbackQuery, DeleteWebhook, EditMessageText, GetUpdates, SendDocument, SendMessage,
                              SendPhoto, SetWebhook)]


class Malformed(Exception):
    """Not an update Telegram would send."""


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


def update_event(update: Update) -> tuple[Incoming, dict[str, Any]] | None:
    """The event in an update and what answering it needs (the message to edit, the query to answer);
    None for what the bot does not take (groups, other update types)."""
    if update.message is not None:
        if update.message.chat.type != "private":
            return None  # the bot serves people one to one; groups are not supported
        return to_incoming(update.message), {}
    query = update.callback_query
    if query is not None and query.message is not None:
        lang = query.from_user.language_code if query.from_user else None
        event = Incoming(CHANNEL, str(query.message.chat.id), "button", payload=query.data or "", lang_hint=lang)
        return event, {"callback": query.id, "edit": query.message.message_id}
    return None


class TelegramChannel:
    """One bot's adapter: updates in (polling or webhook), replies out."""

    def __init__(self, host: Host, bot: Bot, runtime: TelegramRuntime | None = None):
        self.host = host
        self.bot = bot
        self.runtime = runtime

    def dispatcher(self) -> Poller:
        """Long polling driven like aiogram's Dispatcher (start_polling / stop_polling)."""
        assert self.runtime is not None
        return Poller(self.runtime)

    # --- inbound ---------------------------------------------------------------------------------
    async def take(self, data: dict[str, Any]) -> bool:
        """Take one update (a JSON object). False if it was taken before. Raises Malformed, or
        storage.db.Unavailable when it cannot be stored now."""
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            raise Malformed("no update_id")
        try:
            update = Update.model_validate(data, context={"bot": self.bot})
        except (ValidationError, ValueError, TypeError) as exc:
            raise Malformed(type(exc).__name__) from None
        return await self.take_update(update)

    async def take_update(self, update: Update) -> bool:
        found = update_event(update)
        if found is None:
            kinds = [k for k, v in update if v is not None and k != "update_id"]
            log.debug("took a %s update the bot does not handle", ",".join(kinds) or "empty")
            return True
        incoming, meta = found
        handled = await self.host.receive(incoming, key=str(update.update_id), meta=meta)
        return not handled.repeat

    # --- outbound --------------------------------------------------------------------------------
    def parts(self, chat_id: int, reply: Reply, edit_id: int | None) -> Iterator[Part]:
        """The API calls that deliver one reply, in order (the same on every attempt)."""
        if reply.edit and edit_id is not None and len(reply.text) <= TEXT_LIMIT and not reply.attachments:
            yield partial(self._edit_or_send, chat_id, edit_id, reply)
            return
        markup = keyboard(reply)
        texts = split_text(reply.text, TEXT_LIMIT) if reply.text else []
        for n, text in enumerate(texts):
            last = n == len(texts) - 1
            yield partial(self._call, SendMessage(chat_id=chat_id, text=text, reply_markup=markup if last else None))
        asks_location = location_keyboard(reply)
        if asks_location is not None:  # a message may carry one keyboard: the location request follows
            label = next(b.label for b in reply.all_buttons() if b.request_location)
            yield partial(self._call, SendMessage(chat_id=chat_id, text=label, reply_markup=asks_location))
        for att in reply.attachments:
            file, caption = BufferedInputFile(att.data, filename=att.filename), att.caption[:CAPTION_LIMIT] or None
            if att.kind == "image":
                yield partial(self._call, SendPhoto(chat_id=chat_id, photo=file, caption=caption))
            else:
                yield partial(self._call, SendDocument(chat_id=chat_id, document=file, caption=caption))

    async def deliver(self, job: Job) -> Outcome:
        chat_id = int(job.external_id)
        callback, edit_id = job.meta.get("callback"), job.meta.get("edit")
        if callback and job.first:
            with contextlib.suppress(TelegramAPIError, AiogramError):  # a query too old: only the spinner
                await self._call(AnswerCallbackQuery(callback_query_id=callback))
        done = index = 0
        try:
            for reply in job.replies:
                for part in self.parts(chat_id, reply, edit_id):
                    index += 1
                    if index <= job.skip:
                        continue
                    await job.gate()
                    await part()
                    done += 1
        except TelegramRetryAfter as exc:
            return Outcome("retry", retry_after=float(exc.retry_after), error="429 Too Many Requests", parts=done)
        except TelegramForbiddenError:
            return Outcome("blocked", error="blocked by the user", parts=done)
        except TelegramBadRequest as exc:
            return Outcome("failed", error=exc.message, parts=done)
        except ValueError as exc:  # a reply the Bot API cannot take (a rendering bug): retrying cannot help
            return Outcome("failed", error=str(exc)[:200], parts=done)
        except (TelegramNetworkError, TelegramServerError, TelegramAPIError, AiogramError) as exc:
            return Outcome("retry", error=type(exc).__name__, parts=done)
        return Outcome("sent", parts=done)

    async def _edit_or_send(self, chat_id: int, message_id: int, reply: Reply) -> None:
        """Update the message in place (checklist ticks); a message too old to edit gets a fresh one."""
        try:
            await self._call(EditMessageText(chat_id=chat_id, message_id=message_id, text=reply.text,
                                             reply_markup=keyboard(reply)))
        except TelegramBadRequest as exc:
            if "not modified" in str(exc).lower():
                return
            await self._call(SendMessage(chat_id=chat_id, text=reply.text, reply_markup=keyboard(reply)))

    async def _call(self, method: TelegramMethod) -> Any:
        return await self.bot(method)


class TelegramSender:
    """Delivery for Telegram: every message to a person (answers, notifications, reminders)."""

    channel = CHANNEL

    def __init__(self, telegram: TelegramChannel):
        self.telegram = telegram

    async def deliver(self, job: Job) -> Outcome:
        return await self.telegram.deliver(job)

    async def send(self, external_id: str, replies: list[Reply]) -> Outcome:
        async def go() -> None:
            return None

        return await self.telegram.deliver(Job(external_id, replies, go))


# --- polling ----------------------------------------------------------------------------------------

async def run_polling(host: Host, runtime: TelegramRuntime, stop: asyncio.Event, *, timeout: int = 25) -> None:
    """Long polling until `stop`. A batch is confirmed to Telegram (the next offset) only once every
    update in it was taken (its answers queued); an update that could not be taken is fetched again."""
    bot = runtime.bot
    await bot.delete_webhook(drop_pending_updates=False)
    offset: int | None = None
    stopped = asyncio.create_task(stop.wait())
    async with host.delivering([runtime.sender], kinds=(REPLY,)):  # answers go out even with no full worker
        try:
            while not stop.is_set():
                fetch = asyncio.create_task(bot(GetUpdates(offset=offset, timeout=timeout, allowed_updates=list(HANDLED))))
                await asyncio.wait({fetch, stopped}, return_when=asyncio.FIRST_COMPLETED)
                if not fetch.done():  # stopping: nothing fetched is lost (unconfirmed updates come again)
                    fetch.cancel()
                    with contextlib.suppress(asyncio.CancelledError, Exception):
                        await fetch
                    break
                try:
                    updates = fetch.result()
                except (TelegramAPIError, AiogramError) as exc:
                    log.warning("getUpdates failed (%s); trying again", type(exc).__name__)
                    await _pause(stop, 1.0)
                    continue
                if updates:
                    failed = await _take_batch(runtime.channel, updates)
                    offset = failed if failed is not None else updates[-1].update_id + 1
                    if failed is not None:
                        await _pause(stop, 1.0)
        finally:
            stopped.cancel()


async def _pause(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


async def _take_batch(channel: TelegramChannel, updates: list[Update]) -> int | None:
    """Take a batch (at most 100 updates, each a short transaction; a stop lets it finish): each person's
    updates in order, people side by side. The first update_id that could not be taken (everything from
    it is fetched again), or None."""
    by_person: dict[str, list[Update]] = {}
    for update in updates:
        found = update_event(update)
        by_person.setdefault(found[0].user_id if found else "", []).append(update)
    failed: list[int] = []
    limit = asyncio.Semaphore(POLL_BATCH_CONCURRENCY)

    async def take_in_order(queue: list[Update]) -> None:
        async with limit:
            for n, update in enumerate(queue):
                try:
                    await channel.take_update(update)
                except Exception as exc:
                    if not unavailable(exc):
                        log.error("taking update failed: %s", type(exc).__name__, exc_info=exc)
                    failed.append(queue[n].update_id)
                    return  # the rest of this person's updates must wait for it

    await asyncio.gather(*(take_in_order(q) for q in by_person.values()))
    return min(failed) if failed else None


class Poller:
    """aiogram's `Dispatcher.start_polling` / `stop_polling`, over `run_polling` (for callers that
    drive polling that way, e.g. tests)."""

    def __init__(self, runtime: TelegramRuntime):
        self.runtime = runtime
        self._stop = asyncio.Event()

    async def start_polling(self, bot: Bot | None = None, *, handle_signals: bool = False, polling_timeout: int = 10,
                            **_ignored: Any) -> None:
        self._stop.clear()
        await run_polling(self.runtime.host, self.runtime, self._stop, timeout=polling_timeout)

    async def stop_polling(self) -> None:
        self._stop.set()


# --- the webhook ------------------------------------------------------------------------------------

def _secret_ok(given: str | None, secret: str) -> bool:
    return hmac.compare_digest((given or "").encode("utf-8", "surrogateescape"), secret.encode())


class TelegramRuntime:
    def __init__(self, host: Host, bot: Bot):
        self.host = host
        self.bot = bot
        self.channel = TelegramChannel(host, bot, self)
        self.sender = TelegramSender(self.channel)
        self._secret = ""

    async def webhook(self, request: web.Request) -> web.Response:
        if not _secret_ok(request.headers.get(SECRET_HEADER), self._secret):
            return web.json_response({"error": "wrong or missing secret token"}, status=401)
        if not self.host.accepting:
            return web.json_response({"error": "stopping; send it again"}, status=503, headers={"Retry-After": "5"})
        try:
            data = json.loads(await request.read())
            taken = await self.channel.take(data)
        except (ValueError, RecursionError, Malformed):
            return web.json_response({"error": "not a Telegram update"}, status=400)
        except Exception as exc:
            if not unavailable(exc):
                raise
            log.error("an update was refused (503, Telegram sends it again): the database cannot take it now (%s)",
                      type(getattr(exc, "orig", None) or exc).__name__)
            return web.json_response({"error": "cannot store it now; send it again"}, status=503,
                                     headers={"Retry-After": "5"})
        return web.json_response({"ok": True, "taken": taken})

    def mount(self, app: web.Application) -> None:
        """The webhook (the secret-token header checked in constant time)."""
        settings = self.host.settings
        secret = settings.telegram_webhook_secret.get_secret_value() if settings.telegram_webhook_secret else None
        if not secret:
            raise ValueError("TELEGRAM_WEBHOOK_SECRET must be set for webhook mode (1–256 of A-Z a-z 0-9 _ -)")
        self._secret = secret
        app.router.add_post(WEBHOOK_PATH, self.webhook)
        if settings.public_url:
            url = settings.public_url.rstrip("/") + WEBHOOK_PATH

            async def register_webhook(_app: web.Application) -> None:
                await self.bot.set_webhook(url, secret_token=secret, allowed_updates=list(HANDLED))

            app.on_startup.append(register_webhook)

    async def close(self) -> None:
        await self.bot.session.close()
