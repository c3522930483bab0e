"""Viber channel (REST Bot API): webhook in, messages out. See channel.py and webhook.py."""

from bot.handlers.viber.channel import CHANNEL, ViberChannel, ViberSender
from bot.handlers.viber.webhook import EVENT_TYPES, WEBHOOK_KEY, WEBHOOK_PATH, make_viber_channel, setup_viber_webhook

__all__ = [
    "make_viber_channel",
    "CHANNEL", "EVENT_TYPES", "WEBHOOK_KEY", "WEBHOOK_PATH", "ViberChannel", "ViberSender", "setup_viber_webhook",
]
