"""The Viber channel opened in a process: the adapter, its sender and its webhook."""

from __future__ import annotations

import contextlib

from aiohttp import web

from bot.channels.base import Host
from bot.channels.viber.channel import ViberSender
from bot.channels.viber.webhook import make_viber_channel, mount_viber_webhook


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
