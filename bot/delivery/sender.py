"""What the delivery worker needs from a channel: a sender that says how each send went."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from bot.core.events import Reply


@dataclass(frozen=True)
class Outcome:
    status: Literal["sent", "blocked", "retry", "failed"]
    retry_after: float = 0.0  # for "retry": what the platform asked for (429), else 0
    error: str = ""
    billing: str | None = None  # Viber: "session" (free) or "paid" (outside a 24-hour session)


class Sender(Protocol):
    """One per channel: sends replies to a person and says how it went (never raises).

    A sender that can reach only some people has a `recipients` attribute (their external ids): the
    delivery worker then claims only their rows (the console reaches only the person typing in it)."""

    channel: str

    async def send(self, external_id: str, replies: list[Reply]) -> Outcome: ...


@dataclass(frozen=True)
class Pacing:
    """A platform's sending limits, shared by every process (bot/delivery/pacing.py)."""

    rate: float  # messages a second for the whole bot
    per_chat_interval: float = 0.0  # seconds between two messages to one chat
