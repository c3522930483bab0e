"""Strict in-process senders for delivery tests."""

from __future__ import annotations

from bot.delivery.sender import Outcome


class Sink:
    """A sender that records what the delivery worker would send."""

    def __init__(self, channel: str = "console", outcome: Outcome = Outcome("sent")):
        self.channel = channel
        self.outcome = outcome
        self.sent: list[tuple[str, str]] = []

    async def send(self, external_id, replies):
        if self.outcome.status == "sent":
            self.sent.extend((external_id, r.text) for r in replies)
        return self.outcome
