"""Viber channel: callbacks become `Incoming` events for the core; replies go out through the API.

Who may be messaged: Viber lets a bot write only to subscribers (a person's
first message subscribes them). `conversation_started` (opening the chat, e.g.
from a QR code) allows one welcome message, returned in the HTTP response;
`unsubscribed` is a STOP: the person is marked blocked and nothing queued for
them is sent. A send refused with "not subscribed" / "not registered" means
the same.
"""

from __future__ import annotations

import collections
import datetime as dt
import logging
from typing import Any

from viberbot.api.viber_requests import (
    ViberConversationStartedRequest,
    ViberMessageRequest,
    ViberSubscribedRequest,
    ViberUnsubscribedRequest,
)

from bot.config import Settings
from bot.delivery import outbox
from bot.delivery.worker import Outcome
from bot.dialogs.core import BotCore
from bot.dialogs.events import Incoming, Reply
from bot.handlers.viber.client import ViberApi, ViberError, ViberUnavailable
from bot.handlers.viber.keyboard import is_press
from bot.handlers.viber.media import MediaStore
from bot.handlers.viber.render import render
from storage import repo
from storage.models import utcnow

log = logging.getLogger(__name__)

CHANNEL = "viber"
SESSION = dt.timedelta(hours=24)  # a person's message opens a 24-hour window of free bot messages
RETRY_AFTER = {12: 900.0, 23: 3600.0, 24: 3600.0}  # hourly per-person cap; monthly quota; balance


def sender_of(settings: Settings) -> dict[str, str]:
    sender = {"name": settings.viber_bot_name}
    if settings.viber_bot_avatar:
        sender["avatar"] = settings.viber_bot_avatar
    return sender


def billing_for(last_written_at: dt.datetime | None, now: dt.datetime) -> str:
    """"session" (free) if the person wrote within 24 hours, else "paid" (Viber's commercial model)."""
    if last_written_at is None:
        return "paid"
    if last_written_at.tzinfo is None:  # SQLite returns naive UTC
        last_written_at = last_written_at.replace(tzinfo=dt.timezone.utc)
    return "session" if now - last_written_at < SESSION else "paid"


class ViberChannel:
    def __init__(self, core: BotCore, api: ViberApi, media: MediaStore, sender: dict[str, str]):
        self.core = core
        self.api = api
        self.media = media
        self.sender = sender
        self.receipts: collections.Counter[str] = collections.Counter()  # delivered / seen / failed

    # --- outbound ------------------------------------------------------------------------
    async def messages(self, user_id: str, replies: list[Reply], *, combine: bool = False) -> list[dict[str, Any]]:
        envelope = {"receiver": user_id, "sender": self.sender}
        return await render(replies, self.media.url_for, envelope=envelope, combine=combine)

    async def send_all(self, user_id: str, messages: list[dict[str, Any]]) -> None:
        for message in messages:
            await self.api.send_message(user_id, message, self.sender)

    async def reply(self, user_id: str, replies: list[Reply]) -> bool:
        """Answer a person; False if they can no longer be written to, or Viber failed us."""
        try:
            await self.send_all(user_id, await self.messages(user_id, replies))
        except ViberError as exc:
            if exc.stopped:
                await self.stopped(user_id, str(exc))
            else:
                log.warning("could not answer a Viber user: %s", exc)
            return False
        except ViberUnavailable as exc:
            log.warning("could not answer a Viber user: %s", exc)
            return False
        return True

    async def stopped(self, user_id: str, reason: str) -> None:
        """The person unsubscribed: never message them again until they write."""
        from bot.reminders import service as reminders

        async with self.core.db.sessions() as session, session.begin():
            user = await repo.find_user(session, CHANNEL, user_id)
            if user is None:
                return
            await repo.mark_blocked(session, CHANNEL, user_id)
            # As when a send finds the bot blocked (bot/reminders/delivery.py): the social workers
            # whose reminders can no longer arrive are told.
            for link in await reminders.client_links(session, user.id):
                await reminders.stop(session, link, reason, tell="client_blocked")
            cancelled = await outbox.cancel_pending_for(session, user.id, reason)
        log.info("a Viber user unsubscribed; marked, %d queued message(s) cancelled", cancelled)

    # --- inbound -------------------------------------------------------------------------
    def to_incoming(self, req: ViberMessageRequest) -> Incoming:
        text = (getattr(req.message, "text", None) or "").strip()  # stickers, locations…: no text
        user_id, lang = req.sender.id, req.sender.language
        if is_press(text, req.message.tracking_data, req.silent, self.core.router.actions):
            return Incoming(CHANNEL, user_id, "button", payload=text, lang_hint=lang)
        return Incoming.from_text(CHANNEL, user_id, text, lang)

    async def on_message(self, req: ViberMessageRequest) -> None:
        replies = await self.core.handle(self.to_incoming(req))
        await self.reply(req.sender.id, replies)

    async def welcome(self, req: ViberConversationStartedRequest) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """The welcome message (returned in the HTTP response) and what must follow it through the API.

        Only one message fits in the response, so everything is combined into one text with the
        keyboard. If more remains (a very long text, a picture), a subscriber gets it through the
        API; a person who has not subscribed cannot be written to, so they get the first message
        with the keyboard, and the rest when they write.
        """
        user = req.user
        event = Incoming(CHANNEL, user.id, "start", payload=(req.context or "").strip(), lang_hint=user.language,
                         written=False)
        messages = await self.messages(user.id, await self.core.handle(event), combine=True)
        first, rest = messages[0], messages[1:]
        if rest and not req.subscribed:
            first = {**first, **{k: v for k, v in messages[-1].items() if k in ("keyboard", "tracking_data")}}
            log.info("a welcome message left %d part(s) unsent: the person has not subscribed yet", len(rest))
            rest = []
        return {"sender": self.sender, **first}, rest

    async def on_subscribed(self, req: ViberSubscribedRequest) -> None:
        async with self.core.db.sessions() as session, session.begin():
            user = await repo.find_user(session, CHANNEL, req.user.id)
            if user is not None:
                user.blocked_at = None  # subscribed again: may be written to

    async def on_unsubscribed(self, req: ViberUnsubscribedRequest) -> None:
        await self.stopped(req.user_id, "unsubscribed on Viber")

    def on_receipt(self, event: str, data: dict[str, Any]) -> None:
        """delivered / seen / failed. Counted, and failures logged: Viber's message tokens are not
        stored with outbox rows, so a receipt cannot be matched to one."""
        self.receipts[event] += 1
        if event == "failed":
            log.warning("Viber could not deliver a message: %s", str(data.get("desc", ""))[:200])


class ViberSender:
    """Outbox sender: proactive messages (status changes, reminders), each marked session or paid."""

    channel = CHANNEL

    def __init__(self, viber: ViberChannel):
        self.viber = viber

    async def send(self, external_id: str, replies: list[Reply]) -> Outcome:
        async with self.viber.core.db.sessions() as session:
            user = await repo.find_user(session, CHANNEL, external_id)
        billing = billing_for(user.last_written_at if user else None, utcnow())
        try:
            # Combined into one message where possible: each message outside a session is paid.
            messages = await self.viber.messages(external_id, replies, combine=True)
            await self.viber.send_all(external_id, messages)
        except ViberError as exc:
            if exc.stopped:
                return Outcome("blocked", error=str(exc))
            if exc.status in RETRY_AFTER:
                return Outcome("retry", retry_after=RETRY_AFTER[exc.status], error=str(exc))
            return Outcome("failed", error=str(exc))
        except ViberUnavailable as exc:
            return Outcome("retry", error=str(exc))
        return Outcome("sent", billing=billing)
