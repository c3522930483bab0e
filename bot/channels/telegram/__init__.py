"""Telegram channel (aiogram 3). The plug-in is light; aiogram is imported only when the channel opens
(it takes seconds to import, and the console and CLI commands never need it). See adapter.py."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.channels.base import Host
from bot.config import Settings
from bot.delivery.sender import Pacing

if TYPE_CHECKING:
    from bot.channels.telegram.adapter import TelegramRuntime

from bot.channels.telegram.names import CHANNEL, WEBHOOK_PATH

__all__ = ["CHANNEL", "CHANNEL_PLUGIN", "WEBHOOK_PATH"]

CHAT_INTERVAL = 1.05  # seconds between two messages to one chat after its burst (see pacing())


class TelegramPlugin:
    name = CHANNEL
    title = "Telegram"

    def enabled(self, settings: Settings) -> bool:
        return bool(settings.telegram_bot_token)

    def secrets(self, settings: Settings) -> list[str]:
        return [s.get_secret_value() for s in (settings.telegram_bot_token, settings.telegram_webhook_secret) if s]

    def deep_link(self, settings: Settings, payload: str) -> str | None:
        if not settings.telegram_bot_username:
            return None
        return f"https://t.me/{settings.telegram_bot_username.lstrip('@')}?start={payload}"

    def pacing(self, settings: Settings) -> Pacing:
        # ~30 messages a second per bot and 1 a second per chat after a short burst (Bot API FAQ);
        # shared by every process. Two messages to a chat go CHAT_INTERVAL apart: exactly a second on our
        # clock can arrive a few milliseconds under it (the bot's budget keeps 29 of 30 for the same reason).
        return Pacing(rate=settings.telegram_rate, per_chat_interval=CHAT_INTERVAL,
                      per_chat_burst=settings.telegram_chat_burst)

    def open(self, host: Host) -> TelegramRuntime:
        from bot.channels.telegram.adapter import TelegramRuntime, make_bot

        return TelegramRuntime(host, make_bot(host.settings))


CHANNEL_PLUGIN = TelegramPlugin()
