"""How reminders and the notes to workers are rendered, and what happens once they are sent."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import get_settings
from bot.delivery import outbox
from bot.delivery.render import on_settled, renderer
from bot.dialogs import payloads
from bot.dialogs.events import Button, Reply
from bot.i18n import Translator
from bot.reminders import service
from bot.reminders.timing import Policy
from storage.models import User, utcnow
from storage.models_reminders import ClientLink, Occurrence, Reminder


def _btn(label: str, action: str, *args: Any) -> Button:
    return Button(label, payloads.encode(action, tuple(str(a) for a in args)))


async def _load(session: AsyncSession, occ_id: Any):
    occ = await session.get(Occurrence, int(occ_id or 0))
    reminder = await session.get(Reminder, occ.reminder_id) if occ else None
    link = await session.get(ClientLink, reminder.link_id) if reminder else None
    return occ, reminder, link


@renderer("reminder")
async def _reminder(session, kb, user: User, t: Translator, payload: dict) -> list[Reply] | None:
    """What the client receives. Neutral by default: the worker wrote the text for a phone others may see."""
    occ, reminder, link = await _load(session, payload.get("occurrence_id"))
    if occ is None or occ.state != "scheduled" or link is None or link.state != "active" or link.client_id != user.id:
        return None  # cancelled, stopped or already handled meanwhile
    _ = t.gettext
    who = await service.worker_name(session, link.worker_id) or _("your social worker")
    text = _("🔔 Reminder from {worker}:").format(worker=who) + "\n" + reminder.text
    buttons = [
        [_btn(_("Got it ✅"), "rok", occ.id)],
        [_btn(_("Remind me in an hour ⏰"), "rsnooze", occ.id)],
        [_btn(_("Stop these reminders"), "rstop", link.id)],
    ]
    return [Reply(text, buttons)]


@on_settled("reminder")
async def _reminder_settled(session: AsyncSession, row, result, settings) -> None:
    occ, reminder, link = await _load(session, row.payload.get("occurrence_id"))
    if occ is None or reminder is None or link is None:
        return
    policy = Policy.from_settings(settings)
    if result.status == "sent":
        if occ.state == "scheduled":
            occ.state, occ.sent_at = "sent", utcnow()
        await outbox.enqueue(
            session, user_id=link.worker_id, channel=(await session.get(User, link.worker_id)).channel,
            kind="reminder_unconfirmed", payload={"occurrence_id": occ.id}, key=f"remchk:{occ.id}",
            due_at=utcnow() + policy.confirm_within,
        )
        if occ.kind == "regular":
            await service.schedule_next(session, reminder, policy, after=occ.planned_for)
        return
    occ.state = "failed"
    occ.reason = "blocked" if result.status == "blocked" else (result.error or "failed")[:200]
    if result.status == "blocked":
        # The client blocked the bot: nothing more can reach them. Stop every link, tell each worker.
        for other in await service.client_links(session, link.client_id):
            await service.stop(session, other, "client blocked the bot", tell="client_blocked")
    else:
        await service._tell_worker(session, link, "reminder_failed", {"occurrence_id": occ.id}, key=f"remfail:{occ.id}")


async def _worker_note(session, user: User, t: Translator, payload: dict, text_for) -> list[Reply] | None:
    link = await session.get(ClientLink, int(payload.get("link_id") or 0))
    if link is None or link.worker_id != user.id:
        return None
    text = await text_for(link)
    if not text:
        return None
    return [Reply(text, [[_btn(t.gettext("Open the client"), "wclient", link.id)]])]


@renderer("client_joined")
async def _joined(session, kb, user, t: Translator, payload) -> list[Reply] | None:
    async def text(link):
        return t.gettext("✅ {client} agreed to receive your reminders.").format(client=link.alias)

    return await _worker_note(session, user, t, payload, text)


@renderer("client_stopped")
async def _stopped(session, kb, user, t: Translator, payload) -> list[Reply] | None:
    async def text(link):
        return t.gettext("⛔ {client} stopped your reminders. Scheduled reminders were cancelled.").format(client=link.alias)

    return await _worker_note(session, user, t, payload, text)


@renderer("client_blocked")
async def _blocked(session, kb, user, t: Translator, payload) -> list[Reply] | None:
    async def text(link):
        return t.gettext(
            "⚠️ {client} has blocked the bot, so reminders cannot be delivered. Scheduled reminders were cancelled; "
            "please contact the client another way."
        ).format(client=link.alias)

    return await _worker_note(session, user, t, payload, text)


@renderer("reminder_failed")
async def _failed(session, kb, user, t: Translator, payload) -> list[Reply] | None:
    occ, reminder, _link = await _load(session, payload.get("occurrence_id"))

    async def text(link):
        return t.gettext("⚠️ A reminder to {client} could not be delivered: «{text}».").format(
            client=link.alias, text=reminder.text if reminder else "")

    return await _worker_note(session, user, t, payload, text)


@renderer("reminder_unconfirmed")
async def _unconfirmed(session, kb, user, t: Translator, payload) -> list[Reply] | None:
    occ, reminder, link = await _load(session, payload.get("occurrence_id"))
    if occ is None or occ.state != "sent" or link is None or link.worker_id != user.id:
        return None  # confirmed (or otherwise settled) in time: nothing to report
    when = occ.sent_at or occ.due_at
    when = when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc)
    text = t.gettext("⏳ {client} has not confirmed the reminder «{text}» sent {when}.").format(
        client=link.alias, text=reminder.text, when=t.datetime(when, "short", tz=get_settings().timezone))
    return [Reply(text, [[_btn(t.gettext("Open the client"), "wclient", link.id)]])]


@renderer("client_left")
async def _left(session, kb, user, t: Translator, payload) -> list[Reply] | None:
    alias = str(payload.get("alias") or "")
    if not alias:
        return None
    return [Reply(t.gettext("⛔ {client} deleted their data in the bot: the link and all reminders are gone. "
                            "Please contact the client another way if needed.").format(client=alias))]
