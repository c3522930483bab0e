"""Viber channel (REST Bot API): signed webhook in, messages out through a non-blocking client.

The plug-in is light; viberbot is imported only when the channel opens. channel.py translates
callbacks and renders replies, webhook.py checks and queues callbacks, client.py talks to the API,
keyboard.py/render.py keep within Viber's limits, media.py serves files, runtime.py ties them up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote

from bot.channels.base import Host
from bot.channels.viber.names import CHANNEL, EVENT_TYPES, WEBHOOK_PATH
from bot.config import Settings
from bot.delivery.sender import Pacing

if TYPE_CHECKING:
    from bot.channels.viber.runtime import ViberRuntime

__all__ = ["CHANNEL", "CHANNEL_PLUGIN", "EVENT_TYPES", "WEBHOOK_PATH"]


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
        from bot.channels.viber.runtime import ViberRuntime

        return ViberRuntime(host)


CHANNEL_PLUGIN = ViberPlugin()
