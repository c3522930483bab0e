"""A low rating alerts the office's staff at once, through the outbox (never sent directly).

The outbox row carries the response id only; the text is rendered at send time in the
staff member's language, and not at all if they lost the role in the meantime.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import get_settings
from bot.delivery import outbox
from bot.delivery.render import renderer
from bot.dialogs import payloads
from bot.dialogs.events import Button, Reply
from bot.feedback.answers import answers_block
from bot.feedback.surveys import get_surveys
from bot.i18n import Translator
from storage import feedback as store
from storage.models import User
from storage.models_feedback import FeedbackResponse

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


@renderer(KIND)
async def render_alert(session: AsyncSession, kb: Any, user: User, t: Translator, payload: dict[str, Any]) -> list[Reply] | None:
    _ = t.gettext
    response = await session.get(FeedbackResponse, int(payload.get("response_id", 0)))
    if response is None:
        return None
    scopes = await store.office_scopes(session, user.id)
    if scopes is not None and response.office_id not in scopes:
        return None  # no longer staff of this office
    survey = get_surveys(get_settings().kb_dir).surveys.get(response.survey_id)
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
