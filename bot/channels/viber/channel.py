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

from bot.channels.base import Host
from bot.channels.viber.client import ViberApi, ViberError, ViberUnavailable
from bot.channels.viber.keyboard import is_press
from bot.channels.viber.media import MediaStore
from bot.channels.viber.names import CHANNEL
from bot.channels.viber.render import render
from bot.config import Settings
from bot.core.events import Incoming, Location, Media, Reply
from bot.delivery.sender import Job, Outcome
from storage import people

log = logging.getLogger(__name__)

SESSION = dt.timedelta(hours=24)  # a person's message opens a 24-hour window of free bot messages
RETRY_AFTER = {12: 900.0, 23: 3600.0, 24: 3600.0}  # hourly per-person cap; monthly quota; balance
# viberbot message types that carry a file of some kind (the bot reads only text).
MEDIA_TYPES = {"picture": "photo", "PictureMessage": "photo", "video": "video", "VideoMessage": "video",
               "file": "document", "FileMessage": "document", "sticker": "sticker", "StickerMessage": "sticker",
               "contact": "other", "ContactMessage": "other", "url": "other", "URLMessage": "other",
               "rich_media": "other", "RichMediaMessage": "other"}


class _Actions:
    """`name in actions` asks the engine whether a button payload names a registered action."""

    def __init__(self, host: Host):
        self.host = host

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.host.is_action(name)


def sender_of(settings: Settings) -> dict[str, str]:
    sender = {"name": settings.viber_bot_name}
    if settings.viber_bot_avatar:
        sender["avatar"] = settings.viber_bot_avatar
    return sender


def billing_for(last_written_at: dt.datetime | None, now: dt.datetime) -> str:
    """"session" (free) if the person wrote within 24 hours, else "paid" (Viber's commercial model)."""
    if last_written_at is None:
        return "paid"
    return "session" if now - last_written_at < SESSION else "paid"


class ViberChannel:
    def __init__(self, host: Host, api: ViberApi, media: MediaStore, sender: dict[str, str]):
        self.host = host
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
        """The person unsubscribed (or Viber says they cannot be written to): the one rule applies."""
        await self.host.unreachable(CHANNEL, user_id, reason)

    # --- inbound -------------------------------------------------------------------------
    def to_incoming(self, req: ViberMessageRequest) -> Incoming:
        message = req.message
        user_id, lang = req.sender.id, req.sender.language
        kind = getattr(message, "_message_type", None) or type(message).__name__
        if kind in ("location", "LocationMessage"):
            loc = message.location
            return Incoming(CHANNEL, user_id, "location", location=Location(loc.latitude, loc.longitude), lang_hint=lang)
        media_kind = MEDIA_TYPES.get(kind)
        if media_kind is not None:
            media = Media(media_kind, getattr(message, "media", None) or "", "", int(getattr(message, "size", 0) or 0),  # type: ignore[arg-type]
                          getattr(message, "file_name", None) or "")
            return Incoming(CHANNEL, user_id, "media", text=(getattr(message, "text", None) or "").strip(), media=media,
                            lang_hint=lang)
        text = (getattr(message, "text", None) or "").strip()
        if is_press(text, message.tracking_data, req.silent, _Actions(self.host)):
            return Incoming(CHANNEL, user_id, "button", payload=text, lang_hint=lang)
        return Incoming.from_text(CHANNEL, user_id, text, lang)

    async def on_message(self, req: ViberMessageRequest, key: str | None) -> None:
        """Taken durably; the answers go out through the outbox (one Viber message per reply)."""
        await self.host.receive(self.to_incoming(req), key=key, meta={"combine": False})

    async def welcome(self, req: ViberConversationStartedRequest, key: str | None) -> dict[str, Any] | None:
        """The welcome message, returned in the HTTP response (None: a repeat, answered before).

        Only one message fits in the response, so everything is combined into one text with the
        keyboard. If more remains (a very long text, a picture), a subscriber gets it through the
        outbox; a person who has not subscribed cannot be written to, so they get the first message
        with the keyboard, and the rest when they write.
        """
        user = req.user
        event = Incoming(CHANNEL, user.id, "start", payload=(req.context or "").strip(), lang_hint=user.language,
                         written=False)
        handled = await self.host.receive(event, key=key, respond=True)
        if handled.repeat:
            return None
        messages = await self.messages(user.id, handled.replies, combine=True)
        first, rest = messages[0], messages[1:]
        if rest and req.subscribed:
            await self.host.queue_replies(CHANNEL, user.id, handled.replies, {"combine": True}, skip=1)
        elif rest:
            first = {**first, **{k: v for k, v in messages[-1].items() if k in ("keyboard", "tracking_data")}}
            log.info("a welcome message left %d part(s) unsent: the person has not subscribed yet", len(rest))
        return {"sender": self.sender, **first}

    async def on_subscribed(self, req: ViberSubscribedRequest) -> None:
        async with self.host.db.sessions() as session, session.begin():
            user = await people.find_user(session, CHANNEL, req.user.id)
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
    """Delivery for Viber: answers and proactive messages (status changes, reminders), each marked
    session or paid."""

    channel = CHANNEL

    def __init__(self, viber: ViberChannel):
        self.viber = viber

    async def deliver(self, job: Job) -> Outcome:
        billing = billing_for(job.last_written_at, self.viber.host.services.clock.now())
        done = 0
        try:
            # Proactive messages are combined into one where possible: each outside a session is paid.
            messages = await self.viber.messages(job.external_id, job.replies, combine=job.meta.get("combine", True))
            for message in messages[job.skip:]:
                await job.gate()
                await self.viber.api.send_message(job.external_id, message, self.viber.sender)
                done += 1
        except ViberError as exc:
            if exc.stopped:
                return Outcome("blocked", error=str(exc), parts=done)
            if exc.status in RETRY_AFTER:
                return Outcome("retry", retry_after=RETRY_AFTER[exc.status], error=str(exc), parts=done)
            return Outcome("failed", error=str(exc), parts=done)
        except ViberUnavailable as exc:
            return Outcome("retry", error=str(exc), parts=done)
        return Outcome("sent", billing=billing, parts=done)

    async def send(self, external_id: str, replies: list[Reply]) -> Outcome:
        async with self.viber.host.db.sessions() as session:
            user = await people.find_user(session, CHANNEL, external_id)

        async def go() -> None:
            return None

        return await self.deliver(Job(external_id, replies, go, last_written_at=user.last_written_at if user else None))
