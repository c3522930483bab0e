"""A strict fake of the Telegram Bot API, served over real HTTP on 127.0.0.1.

The bot under test talks to it through TELEGRAM_API_BASE exactly as it would to
api.telegram.org. It rejects what Telegram rejects (so our code is tested against
the real limits): text over 4096 characters or empty, callback data outside 1–64
bytes, malformed inline keyboards, editing a message into the same content,
answering a callback query twice, messaging a user who blocked the bot (403),
getUpdates while a webhook is set (409), and sending faster than the rate limits
(429 with retry_after). Tests play the user with `user_sends` / `user_presses`.

Stricter than Telegram where a test asks for it: `window=30` refuses a 31st message within any
sliding second (Telegram's "about 30 a second", read as strictly as possible); `latency` adds a
random delay to every call (jitter that reorders unsynchronised senders). Faults are switched on
and off while the bot runs: `go_down()` answers every call with a 5xx, `hang()` holds every call
until `come_back()` (then processes it: the message is delivered late, as after a stalled network).

With `webhook` set to the bot's URL, updates are pushed to it the way Telegram pushes them: up to
`max_connections` requests at once (one chat's updates one after another, in order), each re-sent
until the bot answers 200 (a refused, failed or dropped request is tried again), and `acknowledged`
records what the bot took.
"""

from __future__ import annotations

import asyncio
import collections
import itertools
import json
import math
import random
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_MAX = 64
CALLBACK_ANSWER_MAX = 200
MAX_BUTTONS = 100


class ApiError(Exception):
    def __init__(self, code: int, description: str, retry_after: int | None = None):
        self.code = code
        self.description = description
        self.retry_after = retry_after


class TokenBucket:
    def __init__(self, rate: float, burst: float):
        self.rate = rate
        self.capacity = burst
        self.tokens = burst
        self.stamp = time.monotonic()

    def take(self) -> float:
        """0 if allowed now, else the seconds until a token is available."""
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


class SlidingWindow:
    """At most `limit` events within any `span` seconds: stricter than a token bucket's burst."""

    def __init__(self, limit: int, span: float = 1.0):
        self.limit, self.span = limit, span
        self.stamps: collections.deque[float] = collections.deque()

    def take(self) -> float:
        now = time.monotonic()
        while self.stamps and self.stamps[0] <= now - self.span:
            self.stamps.popleft()
        if len(self.stamps) >= self.limit:
            return self.stamps[0] + self.span - now
        self.stamps.append(now)
        return 0.0


@dataclass
class SentMessage:
    message_id: int
    chat_id: int
    text: str
    reply_markup: dict | None
    kind: str = "text"  # text | photo | document
    edits: int = 0
    filename: str | None = None

    def buttons(self) -> list[dict]:
        return [b for row in (self.reply_markup or {}).get("inline_keyboard", []) for b in row]

    def button(self, label_part: str) -> dict:
        for b in self.buttons():
            if label_part in b["text"]:
                return b
        raise AssertionError(f"no button containing {label_part!r} in {[b['text'] for b in self.buttons()]}")


@dataclass
class FakeTelegram:
    token: str = "123456:TEST-token-for-the-fake-bot-api"
    global_rate: float = 30.0  # messages per second per bot
    global_burst: float = 30.0
    chat_rate: float = 1.0  # messages per second per chat...
    chat_burst: float = 6.0  # ...with a short burst tolerated, as Telegram does for replies
    window: int = 0  # > 0: at most this many messages in any sliding second (on top of the bucket)
    latency: tuple[float, float] = (0.0, 0.0)  # a random delay (seconds) before every call is answered
    seed: int = 7
    webhook: str = ""  # the bot's webhook URL: updates are pushed there instead of queued for getUpdates
    max_connections: int = 40  # Telegram's default for webhooks
    retry_delay: float = 0.2  # before a webhook request that failed is sent again

    base_url: str = ""
    sent: list[SentMessage] = field(default_factory=list)
    requests: list[tuple[str, dict]] = field(default_factory=list)
    errors: list[tuple[str, int, str]] = field(default_factory=list)
    blocked: set[int] = field(default_factory=set)
    webhook_url: str = ""
    webhook_secret: str | None = None
    first_sent_at: float = 0.0
    last_sent_at: float = 0.0
    sent_times: list[float] = field(default_factory=list)  # when each of `sent` arrived (monotonic)

    def __post_init__(self) -> None:
        self._updates: list[dict] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._open_callbacks: set[str] = set()
        self._new_update = asyncio.Condition()
        self._new_message = asyncio.Condition()
        self._global = TokenBucket(self.global_rate, self.global_burst)
        self._chats: dict[int, TokenBucket] = {}
        self._known_chats: set[int] = set()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self.bot_id = int(self.token.split(":")[0])
        self._window = SlidingWindow(self.window) if self.window else None
        self._rng = random.Random(self.seed)
        self._down = 0  # the HTTP status every call gets while the API is down
        self._resumed = asyncio.Event()
        self._resumed.set()
        self.hung = 0  # calls being held right now (hang())
        self.acknowledged: list[int] = []  # update_ids the bot answered 200 to (webhook mode)
        self.webhook_attempts = 0
        self._to_push: list[dict] = []
        self._pushing_chats: set[int] = set()
        self._push_turn = asyncio.Condition()
        self._pushers: list[asyncio.Task] = []
        self._http: aiohttp.ClientSession | None = None

    # --- server lifecycle ---------------------------------------------------------------
    async def __aenter__(self) -> FakeTelegram:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._dispatch)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}"
        self._http = aiohttp.ClientSession()
        self._pushers = [asyncio.create_task(self._push_forever()) for _ in range(self.max_connections)]
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._closing = True
        self._resumed.set()
        async with self._new_update:  # a long poll still waiting returns now, not after its timeout
            self._new_update.notify_all()
        for task in self._pushers:
            task.cancel()
        await asyncio.gather(*self._pushers, return_exceptions=True)
        if self._http:
            await self._http.close()
        if self._runner:
            await self._runner.cleanup()

    # --- faults -------------------------------------------------------------------------
    def go_down(self, status: int = 502) -> None:
        """Every call is answered with this 5xx until come_back()."""
        self._down = status

    def hang(self) -> None:
        """Every call is held (the bot's request stays open) until come_back()."""
        self._resumed.clear()

    def come_back(self) -> None:
        self._down = 0
        self._resumed.set()

    # --- the user's side ----------------------------------------------------------------
    def _user(self, chat_id: int, lang: str) -> dict:
        return {"id": chat_id, "is_bot": False, "first_name": "Test", "language_code": lang}

    def start_chat(self, chat_id: int) -> None:
        """The person opened the chat (pressed Start): from now on the bot may write to them."""
        self._known_chats.add(chat_id)
        self.blocked.discard(chat_id)

    def text_update(self, chat_id: int, text: str, lang: str = "uk") -> dict:
        """The update Telegram makes when the person sends `text` (for polling or a webhook)."""
        self.start_chat(chat_id)
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "Test"},
            "from": self._user(chat_id, lang),
            "text": text,
        }
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return {"update_id": next(self._update_ids), "message": message}

    def media_update(self, chat_id: int, kind: str = "sticker") -> dict:
        """The update for a sticker, photo or voice message (no text)."""
        self.start_chat(chat_id)
        files = {
            "sticker": {"file_id": "x", "file_unique_id": "y", "type": "regular", "width": 1, "height": 1,
                        "is_animated": False, "is_video": False},
            "photo": [{"file_id": "p", "file_unique_id": "q", "width": 1, "height": 1}],
            "voice": {"file_id": "v", "file_unique_id": "w", "duration": 3},
        }
        message = {"message_id": next(self._message_ids), "date": int(time.time()),
                   "chat": {"id": chat_id, "type": "private"}, "from": self._user(chat_id, "uk"), kind: files[kind]}
        return {"update_id": next(self._update_ids), "message": message}

    def location_update(self, chat_id: int, latitude: float, longitude: float) -> dict:
        self.start_chat(chat_id)
        message = {"message_id": next(self._message_ids), "date": int(time.time()),
                   "chat": {"id": chat_id, "type": "private"}, "from": self._user(chat_id, "uk"),
                   "location": {"latitude": latitude, "longitude": longitude}}
        return {"update_id": next(self._update_ids), "message": message}

    def press_update(self, message: SentMessage, label_part: str, lang: str = "uk") -> dict:
        """The callback query Telegram makes when the person presses a button of `message`."""
        button = message.button(label_part)
        if "callback_data" not in button:
            raise AssertionError(f"button {button['text']!r} is a link, not a callback button")
        query_id = str(next(self._callback_ids))
        self._open_callbacks.add(query_id)
        return {
            "update_id": next(self._update_ids),
            "callback_query": {
                "id": query_id,
                "from": self._user(message.chat_id, lang),
                "chat_instance": "ci",
                "data": button["callback_data"],
                "message": {
                    "message_id": message.message_id,
                    "date": int(time.time()),
                    "chat": {"id": message.chat_id, "type": "private", "first_name": "Test"},
                    "from": {"id": self.bot_id, "is_bot": True, "first_name": "Hromada"},
                    "text": message.text,
                },
            },
        }

    async def user_sends(self, chat_id: int, text: str, lang: str = "uk") -> None:
        await self.deliver_update(self.text_update(chat_id, text, lang))

    async def user_presses(self, message: SentMessage, label_part: str, lang: str = "uk") -> str:
        update = self.press_update(message, label_part, lang)
        await self.deliver_update(update)
        return update["callback_query"]["id"]

    async def deliver_update(self, update: dict) -> None:
        """Queue an update for getUpdates (long polling), or push it to the webhook if one is set."""
        if self.webhook:
            async with self._push_turn:
                self._to_push.append(update)
                self._push_turn.notify_all()
            return
        async with self._new_update:
            self._updates.append(update)
            self._new_update.notify_all()

    async def wait_acknowledged(self, count: int, timeout: float = 30.0) -> None:
        """Wait until the bot has answered 200 to `count` webhook requests in all."""
        await self.wait_until(lambda: len(self.acknowledged) >= count, timeout)

    @staticmethod
    def _chat_of(update: dict) -> int | None:
        holder = update.get("message") or (update.get("callback_query") or {}).get("message") or {}
        return (holder.get("chat") or {}).get("id")

    def _next_to_push(self) -> dict | None:
        return next((u for u in self._to_push if self._chat_of(u) not in self._pushing_chats), None)

    async def _push_forever(self) -> None:
        """One of Telegram's webhook connections: push an update until the bot answers 200."""
        while True:
            async with self._push_turn:
                await self._push_turn.wait_for(lambda: self._next_to_push() is not None)
                update = self._next_to_push()
                assert update is not None
                self._to_push.remove(update)
                chat = self._chat_of(update)
                if chat is not None:
                    self._pushing_chats.add(chat)
            try:
                await self._push(update)
            finally:
                async with self._push_turn:
                    self._pushing_chats.discard(chat)
                    self._push_turn.notify_all()

    async def _push(self, update: dict) -> None:
        headers = {"X-Telegram-Bot-Api-Secret-Token": self.webhook_secret} if self.webhook_secret else {}
        while True:
            self.webhook_attempts += 1
            try:
                async with self._http.post(self.webhook, json=update, headers=headers,
                                           timeout=aiohttp.ClientTimeout(total=60)) as resp:
                    await resp.read()
                    ok = resp.status == 200
            except (aiohttp.ClientError, TimeoutError):
                ok = False
            if ok:
                self.acknowledged.append(update["update_id"])
            await self._changed()
            if ok:
                return
            await asyncio.sleep(self.retry_delay)

    def block(self, chat_id: int) -> None:
        """The user blocks the bot: every later send to them is a 403."""
        self.blocked.add(chat_id)

    def messages(self, chat_id: int) -> list[SentMessage]:
        return [m for m in self.sent if m.chat_id == chat_id]

    def callbacks_open(self) -> set[str]:
        return set(self._open_callbacks)

    async def wait_until(self, predicate, timeout: float = 10.0) -> None:
        """Wait until predicate() is true; fail the test after `timeout` seconds."""

        async def _wait() -> None:
            async with self._new_message:
                await self._new_message.wait_for(predicate)

        await asyncio.wait_for(_wait(), timeout)

    async def wait_messages(self, chat_id: int, count: int, timeout: float = 10.0) -> list[SentMessage]:
        """Wait for the chat to have `count` messages in all; return the new ones is up to the caller."""
        await self.wait_until(lambda: len(self.messages(chat_id)) >= count, timeout)
        return self.messages(chat_id)

    async def _changed(self) -> None:
        async with self._new_message:
            self._new_message.notify_all()

    # --- the bot's side (HTTP) ------------------------------------------------------------
    async def _dispatch(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.match_info["token"] != self.token:
            return self._error(method, ApiError(401, "Unauthorized"))
        params: dict[str, Any] = dict(request.query)
        if request.method == "POST":
            if request.content_type == "application/json":
                params.update(await request.json())
            else:
                form = await request.post()
                for key, value in form.items():
                    params[key] = value
        self.requests.append((method, params))
        handler = getattr(self, "_m_" + method.lower(), None)
        if handler is None:
            return self._error(method, ApiError(404, "Not Found: method not found"))
        if method.lower() != "getupdates":
            if self.latency[1] > 0:
                await asyncio.sleep(self._rng.uniform(*self.latency))
            if not self._resumed.is_set():
                self.hung += 1
                await self._changed()
                try:
                    await self._resumed.wait()
                finally:
                    self.hung -= 1
            if self._down:
                return self._error(method, ApiError(self._down, "Bad Gateway"))
        try:
            result = await handler(params)
        except ApiError as exc:
            return self._error(method, exc)
        await self._changed()
        return web.json_response({"ok": True, "result": result})

    def _error(self, method: str, exc: ApiError) -> web.Response:
        self.errors.append((method, exc.code, exc.description))
        body: dict[str, Any] = {"ok": False, "error_code": exc.code, "description": exc.description}
        if exc.retry_after is not None:
            body["parameters"] = {"retry_after": exc.retry_after}
        return web.json_response(body, status=exc.code)

    # validation helpers
    @staticmethod
    def _json(params: dict, key: str) -> Any:
        value = params.get(key)
        if value is None or isinstance(value, (dict, list)):
            return value
        try:
            return json.loads(value)
        except (TypeError, ValueError) as exc:
            raise ApiError(400, f"Bad Request: can't parse {key} JSON object") from exc

    def _chat(self, params: dict) -> int:
        try:
            chat_id = int(params["chat_id"])
        except (KeyError, ValueError) as exc:
            raise ApiError(400, "Bad Request: chat_id is empty") from exc
        if chat_id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if chat_id not in self._known_chats:
            raise ApiError(400, "Bad Request: chat not found")
        return chat_id

    def _rate(self, chat_id: int) -> None:
        bucket = self._chats.setdefault(chat_id, TokenBucket(self.chat_rate, self.chat_burst))
        wait = max(self._global.take(), bucket.take())
        if self._window is not None and not wait:
            wait = self._window.take()
        if wait > 0:
            raise ApiError(429, f"Too Many Requests: retry after {math.ceil(wait)}", retry_after=math.ceil(wait))

    def _text(self, text: Any, limit: int = TEXT_LIMIT, allow_empty: bool = False) -> str:
        text = "" if text is None else str(text)
        if not text.strip() and not allow_empty:
            raise ApiError(400, "Bad Request: message text is empty")
        if len(text) > limit:
            raise ApiError(400, "Bad Request: message is too long")
        return text

    def _markup(self, params: dict) -> dict | None:
        markup = self._json(params, "reply_markup")
        if markup is None:
            return None
        if isinstance(markup, dict) and "keyboard" in markup:
            return self._reply_keyboard(markup)
        rows = markup.get("inline_keyboard") if isinstance(markup, dict) else None
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise ApiError(400, "Bad Request: field \"inline_keyboard\" of the InlineKeyboardMarkup should be an Array of Arrays")
        count = 0
        for row in rows:
            for b in row:
                count += 1
                if not isinstance(b, dict) or not str(b.get("text", "")).strip():
                    raise ApiError(400, "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
                kinds = [k for k in ("callback_data", "url", "switch_inline_query", "web_app", "login_url") if k in b]
                if len(kinds) != 1:
                    raise ApiError(400, "Bad Request: can't parse inline keyboard button: exactly one optional field must be used")
                if "callback_data" in b and not 1 <= len(str(b["callback_data"]).encode()) <= CALLBACK_DATA_MAX:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
                if "url" in b and not str(b["url"]).startswith(("https://", "http://", "tg://")):
                    raise ApiError(400, "Bad Request: BUTTON_URL_INVALID")
        if count > MAX_BUTTONS:
            raise ApiError(400, "Bad Request: too many inline keyboard buttons")
        return markup

    @staticmethod
    def _reply_keyboard(markup: dict) -> dict:
        """A ReplyKeyboardMarkup: rows of KeyboardButton (text, at most one request_* field)."""
        allowed = {"keyboard", "resize_keyboard", "one_time_keyboard", "is_persistent", "input_field_placeholder",
                   "selective"}
        rows = markup.get("keyboard")
        if set(markup) - allowed or not isinstance(rows, list) or not rows or not all(isinstance(r, list) for r in rows):
            raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        for row in rows:
            for b in row:
                if not isinstance(b, dict) or not str(b.get("text", "")).strip():
                    raise ApiError(400, "Bad Request: can't parse keyboard button: text is empty")
                extra = set(b) - {"text"}
                if extra - {"request_location", "request_contact", "request_poll", "web_app"} or len(extra) > 1:
                    raise ApiError(400, "Bad Request: can't parse keyboard button: exactly one optional field")
        return markup

    def _message_json(self, m: SentMessage) -> dict:
        out: dict[str, Any] = {
            "message_id": m.message_id,
            "date": int(time.time()),
            "chat": {"id": m.chat_id, "type": "private", "first_name": "Test"},
            "from": {"id": self.bot_id, "is_bot": True, "first_name": "Hromada"},
        }
        if m.kind == "text":
            out["text"] = m.text
        else:
            out["caption"] = m.text
            if m.kind == "document":
                out["document"] = {"file_id": f"f{m.message_id}", "file_unique_id": f"u{m.message_id}", "file_name": m.filename}
            else:
                out["photo"] = [{"file_id": f"f{m.message_id}", "file_unique_id": f"u{m.message_id}", "width": 1, "height": 1}]
        if m.reply_markup and "inline_keyboard" in m.reply_markup:  # a reply keyboard is not part of the message
            out["reply_markup"] = m.reply_markup
        return out

    # methods
    async def _m_getme(self, params: dict) -> dict:
        return {"id": self.bot_id, "is_bot": True, "first_name": "Hromada", "username": "hromada_test_bot",
                "can_join_groups": False, "can_read_all_group_messages": False, "supports_inline_queries": False}

    async def _m_getupdates(self, params: dict) -> list[dict]:
        if self.webhook_url:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active")
        offset = int(params.get("offset") or 0)
        timeout = min(float(params.get("timeout") or 0), 2.0)  # keep tests snappy
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if not self._updates and timeout:
            async with self._new_update:
                try:
                    await asyncio.wait_for(self._new_update.wait_for(lambda: bool(self._updates) or self._closing), timeout)
                except TimeoutError:
                    pass
        return list(self._updates)

    async def _m_sendmessage(self, params: dict) -> dict:
        chat_id = self._chat(params)
        text = self._text(params.get("text"))
        markup = self._markup(params)
        self._rate(chat_id)
        m = SentMessage(next(self._message_ids), chat_id, text, markup)
        self._record(m)
        return self._message_json(m)

    def _record(self, m: SentMessage) -> None:
        now = time.monotonic()
        self.first_sent_at = self.first_sent_at or now
        self.last_sent_at = now
        self.sent.append(m)
        self.sent_times.append(now)

    async def _send_file(self, params: dict, field_name: str, kind: str) -> dict:
        chat_id = self._chat(params)
        caption = self._text(params.get("caption"), CAPTION_LIMIT, allow_empty=True)
        upload = params.get(field_name)
        if isinstance(upload, str) and upload.startswith("attach://"):  # how aiogram uploads files
            upload = params.get(upload[len("attach://"):])
        if upload is None or not hasattr(upload, "file"):
            raise ApiError(400, f"Bad Request: there is no {field_name} in the request")
        data = upload.file.read()
        if not data:
            raise ApiError(400, "Bad Request: file must be non-empty")
        self._rate(chat_id)
        m = SentMessage(next(self._message_ids), chat_id, caption, self._markup(params), kind=kind, filename=upload.filename)
        self._record(m)
        return self._message_json(m)

    async def _m_sendphoto(self, params: dict) -> dict:
        return await self._send_file(params, "photo", "photo")

    async def _m_senddocument(self, params: dict) -> dict:
        return await self._send_file(params, "document", "document")

    async def _m_editmessagetext(self, params: dict) -> dict:
        chat_id = self._chat(params)
        try:
            message_id = int(params["message_id"])
        except (KeyError, ValueError) as exc:
            raise ApiError(400, "Bad Request: message identifier is not specified") from exc
        m = next((m for m in self.sent if m.chat_id == chat_id and m.message_id == message_id), None)
        if m is None or m.kind != "text":
            raise ApiError(400, "Bad Request: message to edit not found")
        text = self._text(params.get("text"))
        markup = self._markup(params)
        if text == m.text and markup == m.reply_markup:
            raise ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message",
            )
        m.text, m.reply_markup, m.edits = text, markup, m.edits + 1
        return self._message_json(m)

    async def _m_answercallbackquery(self, params: dict) -> bool:
        query_id = str(params.get("callback_query_id", ""))
        if query_id not in self._open_callbacks:
            raise ApiError(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
        self._text(params.get("text"), CALLBACK_ANSWER_MAX, allow_empty=True)
        self._open_callbacks.discard(query_id)
        return True

    async def _m_setwebhook(self, params: dict) -> bool:
        url = str(params.get("url", ""))
        if url and not url.startswith("https://"):
            raise ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None and not (1 <= len(secret) <= 256 and all(c.isalnum() or c in "_-" for c in secret)):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        self.webhook_url, self.webhook_secret = url, secret
        return True

    async def _m_deletewebhook(self, params: dict) -> bool:
        self.webhook_url, self.webhook_secret = "", None
        if str(params.get("drop_pending_updates", "")).lower() == "true":
            self._updates.clear()
        return True

    async def _m_getwebhookinfo(self, params: dict) -> dict:
        return {"url": self.webhook_url, "has_custom_certificate": False, "pending_update_count": len(self._updates)}

    async def _m_close(self, params: dict) -> bool:
        return True
