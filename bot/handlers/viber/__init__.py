"""Viber channel (REST Bot API): webhook in, messages out. See channel.py and webhook.py."""

from bot.handlers.viber.channel import CHANNEL, ViberChannel, ViberSender
from bot.handlers.viber.webhook import EVENT_TYPES, WEBHOOK_KEY, WEBHOOK_PATH, setup_viber_webhook

__all__ = [
    "CHANNEL", "EVENT_TYPES", "WEBHOOK_KEY", "WEBHOOK_PATH", "ViberChannel", "ViberSender", "setup_viber_webhook",
]
