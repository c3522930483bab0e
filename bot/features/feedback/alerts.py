"""A low rating alerts the office's staff at once, through the outbox (never sent directly).

The outbox row carries the response id only; the text is rendered at send time in the
staff member's language, and not at all if they lost the role in the meantime.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import payloads
from bot.core.events import Button, Reply
from bot.core.feature import RenderContext
from bot.delivery import outbox
from bot.features.feedback import store
from bot.features.feedback.answers import answers_block
from bot.features.feedback.models import FeedbackResponse
from bot.features.feedback.surveys import get_surveys

KIND = "feedback_alert"
RESULTS_DAYS = "30"


async def alert_staff(session: AsyncSession, response: FeedbackResponse) -> int:
    """Queue the alert for everyone who looks after the office; returns how many."""
    queued = 0
    for user in await store.staff_of(session, response.office_id):
        queued += await outbox.enqueue(
            session, user_id=user.id, channel=user.channel, kind=KIND,
            payload={"response_id": response.id}, key=f"{KIND}:{response.id}:{user.id}",
        )
    return queued


async def render_alert(rc: RenderContext, payload: dict[str, Any]) -> list[Reply] | None:
    session, kb, user, t = rc.session, rc.services.kb, rc.user, rc.t
    _ = t.gettext
    response = await session.get(FeedbackResponse, int(payload.get("response_id", 0)))
    if response is None:
        return None
    scopes = await store.office_scopes(session, user.id)
    if scopes is not None and response.office_id not in scopes:
        return None  # no longer staff of this office
    survey = get_surveys(rc.services.settings.kb_dir).surveys.get(response.survey_id)
    office = kb.offices.get(response.office_id) if kb is not None else None
    lines = [
        _("⚠️ Low rating from a visitor: {office}").format(office=office.name.get(t.lang) if office else response.office_id),
        _("Date: {date}").format(date=t.date(response.day)),
    ]
    if response.service_id and kb is not None and response.service_id in kb.services:
        lines.append(_("Service: {title}").format(title=kb.services[response.service_id].title.get(t.lang)))
    if response.window:
        lines.append(_("Window: {window}").format(window=response.window))
    if survey is not None:
        lines += ["", answers_block(survey, response.answers, t)]
    buttons = [
        [Button(_("Feedback results 📊"), payloads.encode("fbr", (response.office_id, RESULTS_DAYS)))],
        [Button(_("Main menu 🏠"), payloads.encode("menu"))],
    ]
    return [Reply("\n".join(lines).strip(), buttons)]
