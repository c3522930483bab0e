"""The Viber webhook: checked, acknowledged at once, processed in the background.

Every callback is signed: X-Viber-Content-Signature is the hex HMAC-SHA256 of
the raw body keyed with the auth token, compared in constant time. A forged or
missing signature gets 403 and nothing is read. Viber re-sends callbacks it
thinks went unanswered, so callbacks are acknowledged before the work is done
(per person in arrival order) and repeated message tokens are ignored. The one
exception is `conversation_started`: its welcome message *is* the response.
"""

from __future__ import annotations

import asyncio
import collections
import hashlib
import hmac
import json
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from viberbot.api.viber_requests import create_request

from bot.channels.base import Host
from bot.channels.viber.channel import ViberChannel, sender_of
from bot.channels.viber.client import ViberApi
from bot.channels.viber.media import MediaStore
from bot.channels.viber.names import WEBHOOK_PATH
from bot.config import PROJECT_DIR

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Viber-Content-Signature"
RECEIPTS = ("delivered", "seen", "failed")
REMEMBERED_TOKENS = 4096


def signature(body: bytes, token: str) -> str:
    return hmac.new(token.encode(), body, hashlib.sha256).hexdigest()


def signature_ok(body: bytes, given: str | None, token: str) -> bool:
    return hmac.compare_digest(signature(body, token).encode(), (given or "").strip().lower().encode())


class PerUserTasks:
    """Background work run in arrival order per person, and concurrently across people."""

    def __init__(self) -> None:
        self._tails: dict[str, asyncio.Task] = {}

    def submit(self, key: str, work: Callable[[], Awaitable[None]]) -> asyncio.Task:
        previous = self._tails.get(key)

        async def run() -> None:
            if previous is not None:
                await asyncio.wait([previous])
            try:
                await work()
            except Exception:
                log.exception("processing a Viber callback failed")

        task = asyncio.create_task(run(), name="viber-callback")
        self._tails[key] = task
        task.add_done_callback(lambda t: self._tails.pop(key, None) if self._tails.get(key) is t else None)
        return task

    async def drain(self, timeout: float = 10.0) -> None:
        pending = set(self._tails.values())
        if pending:
            await asyncio.wait(pending, timeout=timeout)


class ViberWebhook:
    def __init__(self, channel: ViberChannel, token: str):
        self.channel = channel
        self._token = token
        self.tasks = PerUserTasks()
        self._seen: collections.OrderedDict[str, None] = collections.OrderedDict()

    def _repeated(self, message_token: object) -> bool:
        key = str(message_token or "")
        if not key:
            return False
        if key in self._seen:
            return True
        self._seen[key] = None
        if len(self._seen) > REMEMBERED_TOKENS:
            self._seen.popitem(last=False)
        return False

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        if not signature_ok(body, request.headers.get(SIGNATURE_HEADER), self._token):
            log.warning("refused a Viber webhook request with a missing or wrong signature")
            return web.json_response({"error": "bad signature"}, status=403)
        try:
            data = json.loads(body)
            req = create_request(data)
        except Exception as exc:  # signed by Viber, so answering an error would only make it retry
            log.warning("ignored a Viber callback that cannot be read: %s", str(exc)[:200])
            return web.Response()
        event = req.event_type
        if event == "webhook" or self._repeated(data.get("message_token")):
            return web.Response()
        if event in RECEIPTS:
            self.channel.on_receipt(event, data)
            return web.Response()
        if event == "conversation_started":
            welcome, rest = await self.channel.welcome(req)
            if rest:
                self.tasks.submit(req.user.id, lambda: self.channel.send_all(req.user.id, rest))
            return web.json_response(welcome, dumps=lambda d: ViberApi.encode(d).decode())
        if event == "message":
            self.tasks.submit(req.sender.id, lambda: self.channel.on_message(req))
        elif event == "subscribed":
            self.tasks.submit(req.user.id, lambda: self.channel.on_subscribed(req))
        elif event == "unsubscribed":
            self.tasks.submit(req.user_id, lambda: self.channel.on_unsubscribed(req))
        return web.Response()


WEBHOOK_KEY: web.AppKey[ViberWebhook] = web.AppKey("viber_webhook", ViberWebhook)


def make_viber_channel(host: Host) -> ViberChannel:
    """The channel without the webhook: enough to send (e.g. from a `run_bot.py deliver` process;
    pictures go to the shared media folder that the `serve` process publishes)."""
    settings = host.settings
    if not settings.viber_auth_token:
        raise ValueError("VIBER_AUTH_TOKEN is not set")
    token = settings.viber_auth_token.get_secret_value()
    api = ViberApi(token, settings.viber_api_base)
    media_dir = settings.viber_media_dir or PROJECT_DIR / "data" / "viber-media"
    media = MediaStore(media_dir, token.encode(), lambda: settings.public_url)
    return ViberChannel(host, api, media, sender_of(settings))


def mount_viber_webhook(app: web.Application, channel: ViberChannel, token: str) -> ViberWebhook:
    """Mount the webhook and the media route; register it with `run_bot.py viber set-webhook`.

    (Not on start-up like Telegram's: Viber calls the URL to verify it while set_webhook
    runs, and during start-up the server is not listening yet.)
    """
    hook = ViberWebhook(channel, token)
    app[WEBHOOK_KEY] = hook
    app.router.add_post(WEBHOOK_PATH, hook.handle)
    channel.media.mount(app)

    async def finish_callbacks(_app: web.Application) -> None:
        await hook.tasks.drain()

    app.on_shutdown.append(finish_callbacks)
    return hook
