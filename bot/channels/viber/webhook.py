"""The Viber webhook: checked, taken durably, acknowledged.

Every callback is signed: X-Viber-Content-Signature is the hex HMAC-SHA256 of the raw body keyed with
the auth token, compared in constant time. A forged or missing signature gets 401 and nothing is read;
a body that is not JSON, 400. A message is taken (handled, its answers queued for the delivery worker,
its message token recorded so that Viber's repeats — even after a restart — do nothing) before the
callback is answered 200; when the database cannot take it, 503, and Viber sends it again. The one
exception to "answers through the outbox" is `conversation_started`: its welcome message *is* the
response, as Viber requires.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging

from aiohttp import web
from viberbot.api.viber_requests import create_request

from bot.channels.base import Host
from bot.channels.viber.channel import ViberChannel, sender_of
from bot.channels.viber.client import ViberApi
from bot.channels.viber.media import MediaStore
from bot.channels.viber.names import WEBHOOK_PATH
from bot.config import PROJECT_DIR
from storage.db import unavailable

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Viber-Content-Signature"
RECEIPTS = ("delivered", "seen", "failed")


def signature(body: bytes, token: str) -> str:
    return hmac.new(token.encode(), body, hashlib.sha256).hexdigest()


def signature_ok(body: bytes, given: str | None, token: str) -> bool:
    return hmac.compare_digest(signature(body, token).encode(), (given or "").strip().lower().encode("utf-8", "replace"))


def _why(exc: BaseException) -> str:
    return type(getattr(exc, "orig", None) or exc).__name__


class ViberWebhook:
    def __init__(self, channel: ViberChannel, token: str):
        self.channel = channel
        self._token = token

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        if not signature_ok(body, request.headers.get(SIGNATURE_HEADER), self._token):
            log.warning("refused a Viber webhook request with a missing or wrong signature")
            return web.json_response({"error": "bad signature"}, status=401)
        if not self.channel.host.accepting:
            return web.json_response({"error": "stopping; send it again"}, status=503)
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):
            return web.json_response({"error": "not JSON"}, status=400)
        if not isinstance(data, dict):
            return web.json_response({"error": "not a Viber callback"}, status=400)
        try:
            req = create_request(data)
        except Exception:  # signed by Viber, of a kind the bot does not read: nothing to do
            log.info("ignored a Viber callback it cannot read (event %r)", str(data.get("event"))[:32])
            return web.Response()
        try:
            return await self._take(req, data)
        except Exception as exc:
            if not unavailable(exc):
                raise
            log.error("a Viber callback was refused (503): the database cannot take it now (%s)", _why(exc))
            return web.json_response({"error": "cannot store it now; send it again"}, status=503)

    async def _take(self, req, data: dict) -> web.Response:
        event = req.event_type
        token = data.get("message_token")
        key = str(token) if token else None
        if event == "webhook":
            return web.Response()
        if event in RECEIPTS:
            self.channel.on_receipt(event, data)
            return web.Response()
        if event == "conversation_started":
            welcome = await self.channel.welcome(req, key)
            if welcome is None:  # a repeat
                return web.Response()
            return web.json_response(welcome, dumps=lambda d: ViberApi.encode(d).decode())
        if event == "message":
            await self.channel.on_message(req, key)
        elif event == "subscribed":
            await self.channel.on_subscribed(req)
        elif event == "unsubscribed":
            await self.channel.on_unsubscribed(req)
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
    return hook
