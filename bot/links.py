"""Deep links into the bot, for invitations, receipts and posters — from every channel that has them.

Payloads are short, opaque and ASCII (`svc_…`, `app_…`, `inv_…`, `fb1_…`): Telegram allows at most
64 characters of A-Z a-z 0-9 _ - in `?start=`; Viber passes the same string as `context` in its
conversation_started event. Each channel plug-in says how its link looks (bot/channels/base.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from bot.config import Settings

if TYPE_CHECKING:
    from bot.channels.base import Channel

PAYLOAD_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def check_payload(payload: str) -> str:
    if not PAYLOAD_RE.match(payload):
        raise ValueError(f"deep-link payload {payload!r} must be 1–64 characters of A-Z a-z 0-9 _ -")
    return payload


class DeepLinks:
    def __init__(self, channels: Iterable[Channel], settings: Settings):
        self.channels = list(channels)
        self.settings = settings

    def all(self, payload: str) -> dict[str, str]:
        """Every channel's link (or, for the console, the command that opens it), by channel name."""
        check_payload(payload)
        out = {}
        for channel in self.channels:
            link = channel.deep_link(self.settings, payload)
            if link:
                out[channel.name] = link
        return out

    def urls(self, payload: str) -> dict[str, str]:
        """Only real links a phone can open (for QR codes and messages)."""
        return {name: link for name, link in self.all(payload).items() if "://" in link}

    def __call__(self, payload: str) -> dict[str, str]:
        return self.all(payload)
