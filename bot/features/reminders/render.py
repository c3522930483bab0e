"""How reminders and the notes to workers are rendered, and what happens once they are sent."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import payloads
from bot.core.events import Button, Reply
from bot.core.feature import RenderContext
from bot.core.services import Services
from bot.delivery import outbox
from bot.features.reminders import service
from bot.features.reminders.access import quoted
from bot.features.reminders.models import ClientLink, Occurrence, Reminder
from bot.features.reminders.timing import Policy
from bot.i18n import Translator
from storage.models import User


def _btn(label: str, action: str, *args: Any) -> Button:
    return Button(label, payloads.encode(action, tuple(str(a) for a in args)))


async def _load(session: AsyncSession, occ_id: Any):
    occ = await session.get(Occurrence, int(occ_id or 0))
    reminder = await session.get(Reminder, occ.reminder_id) if occ else None
    link = await session.get(ClientLink, reminder.link_id) if reminder else None
    return occ, reminder, link


async def render_reminder(rc: RenderContext, payload: dict) -> list[Reply] | None:
    """What the client receives. Neutral by default: the worker wrote the text for a phone others may see."""
    session, user, t = rc.session, rc.user, rc.t
    occ, reminder, link = await _load(session, payload.get("occurrence_id"))
    if occ is None or occ.state != "scheduled" or link is None or link.state != "active" or link.client_id != user.id:
        return None  # cancelled, stopped or already handled meanwhile
    _ = t.gettext
    who = await service.worker_name(session, link.worker_id) or _("your social worker")
    lines = [_("🔔 Reminder from {worker}:").format(worker=who), reminder.text]
    event = occ.event_at or occ.planned_for
    lines.append(_("When: {when}").format(when=t.when(event, rc.services.settings.timezone, rc.services.clock.now())))
    if reminder.details:
        lines.append(_("Where and what to bring: {details}").format(details=reminder.details))
    buttons = [
        [_btn(_("Got it ✅"), "rok", occ.id)],
        [_btn(_("Remind me in an hour ⏰"), "rsnooze", occ.id)],
        [_btn(_("Stop these reminders"), "rstop", link.id)],
        [_btn(_("Main menu 🏠"), "menu")],
    ]
    return [Reply("\n".join(lines), buttons)]


async def reminder_settled(session: AsyncSession, services: Services, row, result) -> None:
    """Sent: mark it, plan the "not confirmed" check and the next occurrence. Failed: record why.
    (A client who blocked the bot is handled by the unreachable rule: links stop, workers are told.)"""
    occ, reminder, link = await _load(session, row.payload.get("occurrence_id"))
    if occ is None or reminder is None or link is None:
        return
    policy = Policy.from_settings(services.settings)
    now = services.clock.now()
    if result.status == "sent":
        if occ.state == "scheduled":
            occ.state, occ.sent_at = "sent", now
        worker = await session.get(User, link.worker_id)
        if worker is not None:
            await outbox.enqueue(
                session, user_id=worker.id, channel=worker.channel, kind="reminder_unconfirmed",
                payload={"occurrence_id": occ.id}, key=f"remchk:{occ.id}", due_at=now + policy.confirm_within, now=now,
            )
        if occ.kind == "regular":
            await service.schedule_next(session, reminder, policy, after=occ.planned_for)
        return
    if occ.state != "scheduled":
        return  # confirmed or cancelled meanwhile
    occ.state = "failed"
    occ.reason = "blocked" if result.status == "blocked" else (result.error or "failed")[:200]
    if result.status != "blocked":
        await service._tell_worker(session, link, "reminder_failed", {"occurrence_id": occ.id}, key=f"remfail:{occ.id}",
                                   now=now)


async def _worker_note(session, user: User, t: Translator, payload: dict, text_for) -> list[Reply] | None:
    link = await session.get(ClientLink, int(payload.get("link_id") or 0))
    if link is None or link.worker_id != user.id:
        return None
    text = await text_for(link)
    if not text:
        return None
    return [Reply(text, _note_buttons(t, link.id))]


def _note_buttons(t: Translator, link_id: int | None) -> list[list[Button]]:
    rows = [[_btn(t.gettext("Open the client"), "wclient", link_id)]] if link_id is not None else []
    return [*rows, [_btn(t.gettext("Main menu 🏠"), "menu")]]


async def render_joined(rc: RenderContext, payload: dict) -> list[Reply] | None:
    session, user, t = rc.session, rc.user, rc.t
    async def text(link):
        return t.gettext("✅ The client «{client}» agreed to receive your reminders.").format(client=link.alias)

    return await _worker_note(session, user, t, payload, text)


async def render_stopped(rc: RenderContext, payload: dict) -> list[Reply] | None:
    session, user, t = rc.session, rc.user, rc.t
    async def text(link):
        return t.gettext("⛔ The client «{client}» stopped your reminders. Scheduled reminders were cancelled.").format(
            client=link.alias)

    return await _worker_note(session, user, t, payload, text)


async def render_blocked(rc: RenderContext, payload: dict) -> list[Reply] | None:
    session, user, t = rc.session, rc.user, rc.t
    async def text(link):
        return t.gettext(
            "⚠️ The client «{client}» has blocked the bot, so reminders cannot be delivered. Scheduled reminders were "
            "cancelled; please contact the client another way."
        ).format(client=link.alias)

    return await _worker_note(session, user, t, payload, text)


async def render_failed(rc: RenderContext, payload: dict) -> list[Reply] | None:
    session, user, t = rc.session, rc.user, rc.t
    occ, reminder, _link = await _load(session, payload.get("occurrence_id"))

    async def text(link):
        return t.gettext("⚠️ A reminder to the client «{client}» could not be delivered: «{text}».").format(
            client=link.alias, text=quoted(reminder.text) if reminder else "")

    return await _worker_note(session, user, t, payload, text)


async def render_unconfirmed(rc: RenderContext, payload: dict) -> list[Reply] | None:
    session, user, t = rc.session, rc.user, rc.t
    occ, reminder, link = await _load(session, payload.get("occurrence_id"))
    if occ is None or occ.state != "sent" or link is None or link.worker_id != user.id:
        return None  # confirmed (or otherwise settled) in time: nothing to report
    sent = t.when(occ.sent_at or occ.due_at, rc.services.settings.timezone, rc.services.clock.now(), relative=False)
    text = t.gettext("⏳ The client «{client}» has not confirmed the reminder «{text}» sent {when}.").format(
        client=link.alias, text=quoted(reminder.text), when=sent)
    return [Reply(text, _note_buttons(t, link.id))]


async def render_left(rc: RenderContext, payload: dict) -> list[Reply] | None:
    t = rc.t
    alias = str(payload.get("alias") or "")
    if not alias:
        return None
    return [Reply(t.gettext("⛔ The client «{client}» deleted their data in the bot: the link and all reminders are "
                            "gone. Please contact the client another way if needed.").format(client=alias),
                  _note_buttons(t, None))]


RENDERERS = {
    "reminder": render_reminder,
    "client_joined": render_joined,
    "client_stopped": render_stopped,
    "client_blocked": render_blocked,
    "reminder_failed": render_failed,
    "reminder_unconfirmed": render_unconfirmed,
    "client_left": render_left,
}
SETTLED = {"reminder": reminder_settled}
