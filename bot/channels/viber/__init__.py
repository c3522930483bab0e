"""Viber channel (REST Bot API): signed webhook in, messages out through a non-blocking client.

channel.py translates callbacks and renders replies, webhook.py checks and queues callbacks,
client.py talks to the API, keyboard.py/render.py keep within Viber's limits, media.py serves files.
"""

from __future__ import annotations

import contextlib
from urllib.parse import quote

from aiohttp import web

from bot.channels.base import Host
from bot.channels.viber.channel import CHANNEL, ViberChannel, ViberSender
from bot.channels.viber.webhook import EVENT_TYPES, WEBHOOK_KEY, WEBHOOK_PATH, make_viber_channel, mount_viber_webhook
from bot.config import Settings
from bot.delivery.sender import Pacing

__all__ = [
    "CHANNEL", "CHANNEL_PLUGIN", "EVENT_TYPES", "WEBHOOK_KEY", "WEBHOOK_PATH", "ViberChannel", "ViberSender",
    "make_viber_channel", "mount_viber_webhook",
]


class ViberRuntime:
    def __init__(self, host: Host):
        self.host = host
        self.channel = make_viber_channel(host)
        self.sender = ViberSender(self.channel)

    def mount(self, app: web.Application) -> None:
        token = self.host.settings.viber_auth_token
        assert token is not None  # enabled() checked it
        mount_viber_webhook(app, self.channel, token.get_secret_value())

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.channel.api.close()


class ViberPlugin:
    name = CHANNEL
    title = "Viber"

    def enabled(self, settings: Settings) -> bool:
        return bool(settings.viber_auth_token)

    def secrets(self, settings: Settings) -> list[str]:
        return [settings.viber_auth_token.get_secret_value()] if settings.viber_auth_token else []

    def deep_link(self, settings: Settings, payload: str) -> str | None:
        if not settings.viber_bot_uri:
            return None
        return f"viber://pa?chatURI={quote(settings.viber_bot_uri)}&context={payload}"

    def pacing(self, settings: Settings) -> Pacing | None:
        return None  # Viber caps per person (status 12 → retry later), not per second

    def open(self, host: Host) -> ViberRuntime:
        return ViberRuntime(host)


CHANNEL_PLUGIN = ViberPlugin()
