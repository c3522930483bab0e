"""The channel plug-in protocol (after RapidPro's channel types and courier's handlers).

A channel is one package under bot/channels/ with a `CHANNEL` object implementing `Channel`, and one
line in the list in bot/app.py. Nothing else in the bot names a channel: flows speak the neutral
vocabulary of bot/core/events.py, the delivery worker gets the channel's sender and pacing, deep
links and posters ask every channel for its link, and log redaction asks it for its secrets.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Any, Protocol

from bot.config import Settings
from bot.core.events import Incoming, Reply
from bot.delivery.sender import Pacing, Sender

if TYPE_CHECKING:
    from aiohttp import web

    from bot.core.engine import Handled
    from bot.core.services import Services
    from storage.db import Database


class Host(Protocol):
    """What a channel may use of the running app (bot/app.py implements it)."""

    settings: Settings
    services: Services
    db: Database
    accepting: bool  # False while the process stops: tell the platform to send its update again later

    async def handle(self, incoming: Incoming) -> list[Reply]:
        """The conversation engine, answering now: one event in, replies out (nothing is queued)."""
        ...

    async def receive(self, incoming: Incoming, *, key: str | None, meta: dict[str, Any] | None = None,
                      respond: bool = False) -> Handled:
        """A messenger's event, taken durably: recorded by the platform's id of it (`key`; a repeat
        does nothing), handled, and answered through the outbox (`meta` goes to the channel's sender
        with the answers), in one transaction. With `respond` the answers are returned instead (for an
        HTTP response). Raises storage.db.Unavailable when it cannot be taken: do not acknowledge it."""
        ...

    async def queue_replies(self, channel: str, external_id: str, replies: list[Reply], meta: dict[str, Any],
                            skip: int = 0) -> None:
        """Queue answers outside an event (`skip`: parts already delivered another way)."""
        ...

    def delivering(self, senders: list[Sender], **options: Any) -> AbstractAsyncContextManager[Any]:
        """Run a delivery worker for these senders (unless one runs) while the block runs."""
        ...

    def is_action(self, name: str) -> bool:
        """Whether a button payload names a registered action (Viber echoes button presses as text)."""
        ...

    async def unreachable(self, channel: str, external_id: str, reason: str) -> None:
        """The person blocked the bot or unsubscribed: apply the one rule (bot/core/reach.py)."""
        ...


class Runtime(Protocol):
    """A channel opened in a running process."""

    @property
    def sender(self) -> Sender | None:
        """For the outbox; None where the channel cannot send on its own."""
        ...

    def mount(self, app: web.Application) -> None:
        """Add its webhook routes (under `serve`)."""
        ...

    async def close(self) -> None: ...


class Channel(Protocol):
    @property
    def name(self) -> str:
        """Stored with each person: never rename a channel that has users."""
        ...

    @property
    def title(self) -> str:
        """How people call it ("Telegram"), on posters."""
        ...

    def enabled(self, settings: Settings) -> bool:
        """Configured to run in `serve` / `deliver` (its token is set)."""
        ...

    def secrets(self, settings: Settings) -> list[str]:
        """Values that must never appear in a log line."""
        ...

    def deep_link(self, settings: Settings, payload: str) -> str | None:
        """A link that opens the bot with `payload` (QR codes, invitations), or None if not configured."""
        ...

    def pacing(self, settings: Settings) -> Pacing | None:
        """The platform's sending limits, or None for none."""
        ...

    def open(self, host: Host) -> Runtime: ...
