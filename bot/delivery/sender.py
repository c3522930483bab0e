"""What the delivery worker needs from a channel: a sender that says how each send went.

A simple sender (`send`) takes a person's replies in one go. A platform sender also implements
`deliver(job)`: it sends the replies as a sequence of parts (API calls), awaits `job.gate()` before
each part (the worker's pacing and its check that the row is still ours), skips the `job.skip` parts a
previous attempt already delivered, and reports in `Outcome.parts` how many it delivered this time —
so a retry after a failure in the middle neither repeats nor loses a part.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from bot.core.events import Reply


@dataclass(frozen=True)
class Outcome:
    status: Literal["sent", "blocked", "retry", "failed", "cancelled"]
    retry_after: float = 0.0  # for "retry": what the platform asked for (429), else 0
    error: str = ""
    billing: str | None = None  # Viber: "session" (free) or "paid" (outside a 24-hour session)
    parts: int = 0  # parts delivered by this attempt (platform senders)


@dataclass
class Job:
    """One outbox row for a platform sender."""

    external_id: str
    replies: list[Reply]
    gate: Callable[[], Awaitable[None]]  # await before every part: pacing, and "is this row still ours?"
    meta: Mapping[str, Any] = field(default_factory=dict)  # from the event answered: message to edit, query to answer
    skip: int = 0  # parts an earlier attempt delivered
    last_written_at: dt.datetime | None = None  # when the person last wrote (Viber's free session)
    first: bool = True  # the row's first attempt (acknowledgements such as a button's spinner: once)


class Sender(Protocol):
    """One per channel: sends replies to a person and says how it went (never raises).

    A sender that can reach only some people has a `recipients` attribute (their external ids): the
    delivery worker then claims only their rows (the console reaches only the person typing in it)."""

    channel: str

    async def send(self, external_id: str, replies: list[Reply]) -> Outcome: ...


class PartSender(Sender, Protocol):
    async def deliver(self, job: Job) -> Outcome: ...


@dataclass(frozen=True)
class Pacing:
    """A platform's sending limits, shared by every process (bot/delivery/pacing.py)."""

    rate: float  # messages a second for the whole bot
    per_chat_interval: float = 0.0  # seconds between two messages to one chat…
    per_chat_burst: int = 1  # …after this many at once
