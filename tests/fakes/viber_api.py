"""A strict fake of Viber's REST Bot API (chatapi.viber.com/pa), served over real HTTP on 127.0.0.1.

The bot talks to it through VIBER_API_BASE as it would to Viber. It refuses
what Viber refuses, answering HTTP 200 with a non-zero status as Viber does:
a wrong X-Viber-Auth-Token (2); a body over 30 KB, bad JSON, text over 7,000
characters, tracking_data over 4,000, a sender name over 28, keyboards outside
Columns 1–6 / Rows 1–2 / 24 buttons / 24 grid rows, rich media without
min_api_version 2, picture media that is not a fetchable .jpg/.png/.gif (3);
a person who never opened the chat (5) or has not subscribed (6); more than
`unanswered_limit` messages to a person who has not replied (12). It fetches
media the way Viber does, so a picture URL must really serve the picture.

The user's side sends webhook callbacks built from recorded Viber JSON
(viber_events.json), signed with the token, to the bot's webhook: `open`
(conversation_started; the welcome message comes back in the response), `say`,
`press` (a button of the keyboard on screen), `unsubscribe`.

`go_down()` makes every API call fail with an HTTP 5xx until `come_back()` (an outage).
"""

from __future__ import annotations

import asyncio
import copy
import hashlib
import hmac
import itertools
import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

EVENTS = json.loads((Path(__file__).with_name("viber_events.json")).read_text(encoding="utf-8"))
MAX_BODY = 30_000
TEXT_MAX = 7000
TRACKING_MAX = 4000
SENDER_NAME_MAX = 28
PICTURE_TEXT_MAX = 120
PICTURE_MAX_BYTES = 1024 * 1024
FILE_NAME_MAX = 256
KB_MAX_BUTTONS = 24
KB_MAX_ROWS = 24
SESSION_SECONDS = 24 * 3600
ACTION_TYPES = {"reply", "open-url", "location-picker", "share-phone", "none"}
COLOUR_RE = re.compile(r"^#[0-9A-Fa-f]{6}$")
ECHO = object()  # `say`'s default: echo the tracking_data of the bot's last message, as Viber does


class ApiError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class ViberUser:
    id: str
    language: str = "uk"
    api_version: int = 10
    opened: bool = False  # known to the bot: opened the chat or wrote
    subscribed: bool = False
    last_wrote: float | None = None
    unanswered: int = 0  # bot messages since the person last wrote


@dataclass
class Sent:
    receiver: str
    body: dict[str, Any]
    via: str  # "api" or "welcome" (the conversation_started response)
    billing: str  # "session", "paid", or "welcome" (free)

    @property
    def text(self) -> str:
        return self.body.get("text", "")

    @property
    def keyboard(self) -> dict | None:
        return self.body.get("keyboard")

    def buttons(self) -> list[dict]:
        return list((self.keyboard or {}).get("Buttons", []))

    def labels(self) -> list[str]:
        return [re.sub(r"<[^>]+>", "", b.get("Text", "")) for b in self.buttons()]


@dataclass
class FakeViber:
    token: str = "4f9a1c2b3d4e5f60-7a8b9c0d1e2f3a4b-5c6d7e8f9a0b1c2d"
    delay: float = 0.0  # seconds per send_message: a slow Viber
    unanswered_limit: int = 100  # Viber: 100 messages an hour to a person who does not reply

    base_url: str = ""
    target: str = ""  # where callbacks go (the bot's http://127.0.0.1 webhook), whatever URL was registered
    webhook_url: str = ""
    event_types: list[str] = field(default_factory=list)
    users: dict[str, ViberUser] = field(default_factory=dict)
    sent: list[Sent] = field(default_factory=list)
    requests: list[tuple[str, dict]] = field(default_factory=list)
    errors: list[tuple[str, int, str]] = field(default_factory=list)
    timeline: list[tuple[str, str]] = field(default_factory=list)  # ("send_started"/"send_done"/"ack", who)
    media: dict[str, bytes] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._tokens = itertools.count(5_000_000_000_000_000_000)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.http: aiohttp.ClientSession | None = None
        self._down = 0

    def go_down(self, status: int = 503) -> None:
        """Every API call answers this HTTP status until come_back()."""
        self._down = status

    def come_back(self) -> None:
        self._down = 0

    # --- lifecycle ---------------------------------------------------------------------------
    async def __aenter__(self) -> FakeViber:
        app = web.Application(client_max_size=4 * MAX_BODY)
        app.router.add_post("/pa/{method}", self._dispatch)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.base_url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/pa"
        self.http = aiohttp.ClientSession()
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.http:
            await self.http.close()
        if self._runner:
            await self._runner.cleanup()

    # --- the user's side -------------------------------------------------------------------------
    def user(self, user_id: str, lang: str = "uk") -> ViberUser:
        if user_id not in self.users:
            self.users[user_id] = ViberUser(user_id, language=lang)
        return self.users[user_id]

    def sign(self, raw: bytes) -> str:
        return hmac.new(self.token.encode(), raw, hashlib.sha256).hexdigest()

    def event(self, name: str, **fields: Any) -> dict[str, Any]:
        """A recorded Viber callback with our values filled in."""
        data = copy.deepcopy(EVENTS[name])
        data["timestamp"] = int(time.time() * 1000)
        data["message_token"] = next(self._tokens)
        for key, value in fields.items():
            if isinstance(value, dict) and isinstance(data.get(key), dict):
                data[key].update(value)
            else:
                data[key] = value
        return data

    def _profile(self, u: ViberUser) -> dict[str, Any]:
        return {"id": u.id, "name": "Тест", "language": u.language, "country": "UA", "api_version": u.api_version}

    async def post(self, data: dict[str, Any], signature: str | None = "sign", who: str = "") -> tuple[int, Any]:
        """Deliver a callback to the bot (signed unless told otherwise); (HTTP status, JSON body or None)."""
        raw = json.dumps(data, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json"}
        if signature is not None:
            headers["X-Viber-Content-Signature"] = self.sign(raw) if signature == "sign" else signature
        async with self.http.post(self.target, data=raw, headers=headers) as resp:
            body = await resp.read()
            await self._mark("ack", who or data["event"])
            try:
                return resp.status, json.loads(body) if body else None
            except ValueError:
                return resp.status, None

    async def open(self, user_id: str, context: str | None = None, lang: str = "uk") -> Sent | None:
        """The person opens the chat (a QR code, a link): conversation_started, welcome in the response."""
        u = self.user(user_id, lang)
        u.opened = True
        data = self.event("conversation_started", user=self._profile(u), subscribed=u.subscribed)
        if context is None:
            del data["context"]
        else:
            data["context"] = context
        status, body = await self.post(data, who=user_id)
        assert status == 200, f"conversation_started answered HTTP {status}"
        if not body:
            return None
        try:
            self._validate_message(body, u, welcome=True)
        except ApiError as exc:
            raise AssertionError(f"Viber would reject the welcome message: {exc.message}") from exc
        welcome = Sent(user_id, body, "welcome", "welcome")
        await self._record(welcome)
        return welcome

    async def say(self, user_id: str, text: str, *, tracking_data: Any = ECHO, silent: bool = False,
                  lang: str = "uk") -> int:
        """The person writes (which subscribes them); tracking_data echoes the bot's last message's."""
        u = self.user(user_id, lang)
        u.opened = u.subscribed = True
        u.last_wrote, u.unanswered = time.time(), 0
        if tracking_data is ECHO:
            msgs = self.messages(user_id)
            tracking_data = msgs[-1].body.get("tracking_data") if msgs else None
        message: dict[str, Any] = {"type": "text", "text": text}
        if tracking_data is not None:
            message["tracking_data"] = tracking_data
        data = self.event("message", sender=self._profile(u), message=message, silent=silent)
        status, _ = await self.post(data, who=user_id)
        return status

    async def sends(self, user_id: str, message: dict[str, Any]) -> int:
        """The person sends something other than text: a picture, a file, a sticker, a location."""
        u = self.user(user_id)
        u.opened = u.subscribed = True
        u.last_wrote, u.unanswered = time.time(), 0
        status, _ = await self.post(self.event("message", sender=self._profile(u), message=message), who=user_id)
        return status

    async def shares_location(self, user_id: str, lat: float, lon: float) -> int:
        """What Viber sends when the person picks a place with a location-picker button."""
        return await self.sends(user_id, {"type": "location", "location": {"lat": lat, "lon": lon}})

    async def press(self, user_id: str, label_part: str) -> int:
        """Press a button of the keyboard on screen (Viber shows the latest one only)."""
        kb = self.keyboard_on_screen(user_id)
        for b in (kb or {}).get("Buttons", []):
            if label_part in re.sub(r"<[^>]+>", "", b.get("Text", "")):
                if b.get("ActionType", "reply") != "reply":
                    raise AssertionError(f"button {b['Text']!r} opens a URL; it sends nothing to the bot")
                return await self.say(user_id, b["ActionBody"], silent=bool(b.get("Silent")))
        labels = [re.sub(r"<[^>]+>", "", b.get("Text", "")) for b in (kb or {}).get("Buttons", [])]
        raise AssertionError(f"no button with {label_part!r} on screen; have {labels}")

    async def subscribe(self, user_id: str) -> int:
        """The person subscribes from the bot's info screen (without writing)."""
        u = self.user(user_id)
        u.opened = u.subscribed = True
        status, _ = await self.post(self.event("subscribed", user=self._profile(u)), who=user_id)
        return status

    async def unsubscribe(self, user_id: str) -> int:
        self.user(user_id).subscribed = False
        status, _ = await self.post(self.event("unsubscribed", user_id=user_id), who=user_id)
        return status

    def messages(self, user_id: str) -> list[Sent]:
        return [m for m in self.sent if m.receiver == user_id]

    def last(self, user_id: str) -> Sent:
        return self.messages(user_id)[-1]

    def keyboard_on_screen(self, user_id: str) -> dict | None:
        """The latest message's keyboard: a message without one puts the phone's own keyboard back."""
        msgs = self.messages(user_id)
        return msgs[-1].keyboard if msgs else None

    async def wait_messages(self, user_id: str, count: int, timeout: float = 10.0) -> list[Sent]:
        async def _wait() -> None:
            async with self._changed:
                await self._changed.wait_for(lambda: len(self.messages(user_id)) >= count)

        await asyncio.wait_for(_wait(), timeout)
        return self.messages(user_id)

    async def wait_until(self, predicate, timeout: float = 10.0) -> None:
        async def _wait() -> None:
            async with self._changed:
                await self._changed.wait_for(predicate)

        await asyncio.wait_for(_wait(), timeout)

    async def _record(self, m: Sent) -> None:
        self.sent.append(m)
        async with self._changed:
            self._changed.notify_all()

    async def _mark(self, what: str, who: str) -> None:
        self.timeline.append((what, who))
        async with self._changed:
            self._changed.notify_all()

    # --- the bot's side (HTTP) --------------------------------------------------------------------
    async def _dispatch(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        raw = await request.read()
        if self._down:
            self.errors.append((method, self._down, "down"))
            return web.Response(status=self._down, text="Service Unavailable")
        try:
            if request.headers.get("X-Viber-Auth-Token") != self.token:
                raise ApiError(2, "invalidAuthToken")
            if len(raw) > MAX_BODY:
                raise ApiError(3, f"badData: request of {len(raw)} bytes exceeds the 30 KB limit")
            try:
                body = json.loads(raw)
            except ValueError as exc:
                raise ApiError(3, "badData: failed parsing the JSON") from exc
            if not isinstance(body, dict):
                raise ApiError(3, "badData: expected a JSON object")
            self.requests.append((method, body))
            handler = getattr(self, "_m_" + method, None)
            if handler is None:
                return web.Response(status=404)
            result = await handler(body)
        except ApiError as exc:
            self.errors.append((method, exc.status, exc.message))
            return web.json_response({"status": exc.status, "status_message": exc.message})
        return web.json_response({"status": 0, "status_message": "ok", **result})

    async def _m_send_message(self, body: dict) -> dict:
        receiver = body.get("receiver")
        await self._mark("send_started", str(receiver))
        try:
            if self.delay:
                await asyncio.sleep(self.delay)
            u = self.users.get(receiver) if isinstance(receiver, str) else None
            if u is None or not u.opened:
                raise ApiError(5, "receiverNotRegistered")
            if not u.subscribed:
                raise ApiError(6, "receiverNotSubscribed")
            if u.unanswered >= self.unanswered_limit:
                raise ApiError(12, "tooManyRequests")
            await self._validate_media(body)
            self._validate_message(body, u)
            u.unanswered += 1
            in_session = u.last_wrote is not None and time.time() - u.last_wrote < SESSION_SECONDS
            await self._record(Sent(receiver, body, "api", "session" if in_session else "paid"))
            return {"message_token": next(self._tokens), "chat_hostname": "SN-CHAT-01_"}
        finally:
            await self._mark("send_done", str(receiver))

    def _validate_message(self, body: dict, u: ViberUser, welcome: bool = False) -> None:
        sender = body.get("sender")
        if not isinstance(sender, dict) or not isinstance(sender.get("name"), str) or not sender["name"]:
            raise ApiError(3, "badData: sender.name is required")
        if len(sender["name"]) > SENDER_NAME_MAX:
            raise ApiError(3, f"badData: sender.name is longer than {SENDER_NAME_MAX} characters")
        if welcome and "receiver" in body:
            raise ApiError(3, "badData: a welcome message has no receiver")
        tracking = body.get("tracking_data")
        if tracking is not None and (not isinstance(tracking, str) or len(tracking) > TRACKING_MAX):
            raise ApiError(3, f"badData: tracking_data must be a string of at most {TRACKING_MAX} characters")
        version = body.get("min_api_version", 1)
        if not isinstance(version, int) or version < 1:
            raise ApiError(3, "badData: min_api_version must be a positive integer")
        if "keyboard" in body:
            self._validate_keyboard(body["keyboard"])
        kind = body.get("type")
        if kind is None:
            if "keyboard" not in body:
                raise ApiError(4, "missingData: type")
        elif kind == "text":
            text = body.get("text")
            if not isinstance(text, str) or not text.strip():
                raise ApiError(3, "badData: text is empty")
            if len(text) > TEXT_MAX:
                raise ApiError(3, f"badData: text is longer than {TEXT_MAX} characters")
        elif kind == "picture":
            if not isinstance(body.get("text", ""), str) or len(body.get("text", "")) > PICTURE_TEXT_MAX:
                raise ApiError(3, f"badData: a picture's text is longer than {PICTURE_TEXT_MAX} characters")
        elif kind == "file":
            name = body.get("file_name")
            if not isinstance(name, str) or not 1 <= len(name) <= FILE_NAME_MAX:
                raise ApiError(3, "badData: file_name")
            if not isinstance(body.get("size"), int) or body["size"] <= 0:
                raise ApiError(3, "badData: size")
        elif kind == "rich_media":
            if version < 2:
                raise ApiError(3, "badData: rich_media needs min_api_version 2")
            rich = body.get("rich_media") or {}
            cols, rows = rich.get("ButtonsGroupColumns", 6), rich.get("ButtonsGroupRows", 7)
            if not (1 <= cols <= 6 and 1 <= rows <= 7) or len(rich.get("Buttons", [])) > 6 * cols * rows:
                raise ApiError(3, "badData: rich_media layout")
        else:
            raise ApiError(3, f"badData: unsupported message type {kind!r}")

    @staticmethod
    def _validate_keyboard(kb: Any) -> None:
        if not isinstance(kb, dict) or kb.get("Type") != "keyboard":
            raise ApiError(3, "badData: keyboard.Type must be 'keyboard'")
        buttons = kb.get("Buttons")
        if not isinstance(buttons, list) or not 1 <= len(buttons) <= KB_MAX_BUTTONS:
            raise ApiError(3, f"badData: a keyboard has 1 to {KB_MAX_BUTTONS} buttons")
        if "BgColor" in kb and not COLOUR_RE.match(str(kb["BgColor"])):
            raise ApiError(3, "badData: keyboard.BgColor")
        grid, used, tallest = 0, 0, 0
        for b in buttons:
            cols, rows = b.get("Columns", 6), b.get("Rows", 1)
            if not isinstance(cols, int) or not 1 <= cols <= 6:
                raise ApiError(3, "badData: button Columns must be 1 to 6")
            if not isinstance(rows, int) or not 1 <= rows <= 2:
                raise ApiError(3, "badData: button Rows must be 1 or 2")
            action = b.get("ActionType", "reply")
            body = b.get("ActionBody")
            if action not in ACTION_TYPES or not isinstance(body, str) or not body:
                raise ApiError(3, "badData: button ActionType / ActionBody")
            if action == "open-url" and not body.startswith(("https://", "http://")):
                raise ApiError(3, "badData: open-url ActionBody must be a URL")
            if len(str(b.get("Text", ""))) > 250 or b.get("TextSize", "regular") not in ("small", "regular", "large"):
                raise ApiError(3, "badData: button Text / TextSize")
            if "BgColor" in b and not COLOUR_RE.match(str(b["BgColor"])):
                raise ApiError(3, "badData: button BgColor")
            if used + cols > 6:
                grid, used, tallest = grid + tallest, 0, 0
            used, tallest = used + cols, max(tallest, rows)
        if grid + tallest > KB_MAX_ROWS:
            raise ApiError(3, f"badData: the keyboard is taller than {KB_MAX_ROWS} rows")

    async def _validate_media(self, body: dict) -> None:
        """Viber fetches media from the URL; so does the fake (only from 127.0.0.1, in tests)."""
        if body.get("type") not in ("picture", "file"):
            return
        url = body.get("media")
        if not isinstance(url, str) or not url.startswith(("https://", "http://")):
            raise ApiError(3, "badData: media must be a URL")
        path = url.split("?", 1)[0].lower()
        if body["type"] == "picture" and not path.endswith((".jpg", ".jpeg", ".png", ".gif")):
            raise ApiError(3, "badData: picture media must be .jpg, .png or .gif")
        if url.startswith("http://127.0.0.1"):
            async with self.http.get(url) as resp:
                data = await resp.read()
                if resp.status != 200:
                    raise ApiError(3, f"badData: media URL answered HTTP {resp.status}")
            if body["type"] == "picture" and len(data) > PICTURE_MAX_BYTES:
                raise ApiError(3, "badData: picture over 1 MB")
            if body["type"] == "file" and body.get("size") != len(data):
                raise ApiError(3, "badData: file size does not match the media")
            self.media[url] = data

    async def _m_set_webhook(self, body: dict) -> dict:
        url = body.get("url", "")
        if url and not url.startswith("https://"):
            raise ApiError(1, "invalidUrl: the webhook must be https with a trusted certificate")
        if url:  # Viber checks the URL by calling it with a signed "webhook" callback
            status, _ = await self.post(self.event("webhook"), who="set_webhook")
            if status != 200:
                raise ApiError(1, f"invalidUrl: Result[HttpRequest[POST {url}], HttpResponse[{status}]]")
        self.webhook_url = url
        self.event_types = list(body.get("event_types") or [])
        return {"event_types": self.event_types}

    async def _m_get_account_info(self, body: dict) -> dict:
        return {"id": "pa:5000000000000000001", "name": "Громада", "uri": "hromada-test", "webhook": self.webhook_url,
                "event_types": self.event_types, "subscribers_count": sum(u.subscribed for u in self.users.values())}

    async def _m_get_user_details(self, body: dict) -> dict:
        u = self.users.get(body.get("id"))
        if u is None or not u.opened:
            raise ApiError(5, "receiverNotRegistered")
        return {"user": self._profile(u)}
