"""The "your application's status changed" message, rendered when it is sent, in the reader's language.

Rendering late (not when the row is written) means a person who switched language or stopped
following the application in the meantime gets what they now expect.
"""

from __future__ import annotations

from typing import Any

from bot.core import payloads
from bot.core.events import Button, Reply
from bot.core.feature import RenderContext
from bot.core.ui import office_block
from bot.features.status import statuses
from bot.features.status import store as apps
from bot.features.status.models import Application, ApplicationEvent


async def render_status_change(rc: RenderContext, payload: dict[str, Any]) -> list[Reply] | None:
    session, t, kb = rc.session, rc.t, rc.services.kb
    _ = t.gettext
    app = await session.get(Application, int(payload.get("application_id", 0)))
    event = await session.get(ApplicationEvent, int(payload.get("event_id", 0)))
    if app is None or event is None:
        return None
    sub = await apps.subscription(session, rc.user.id, app.id)
    if sub is None or not sub.notify:
        return None  # stopped following since the change was queued
    lines = [
        _("🔔 The status of your application No. {number} has changed: {status}.").format(
            number=app.number, status=_(statuses.LABELS[event.status])
        ),
        _(statuses.EXPLAIN[event.status]),
    ]
    if event.note:
        lines.append(event.note)
    if event.status == "refused":
        lines.append(_(statuses.APPEAL))
    text = "\n".join(lines)
    if event.status in ("ready", "needs_documents") and kb is not None:
        office = kb.offices.get(app.office_id or "") or kb.main_office
        text += "\n\n" + office_block(t, office)
    buttons = [
        [Button(_("Open the application"), payloads.encode("app", (str(app.id),)))],
        [Button(_("Main menu 🏠"), payloads.encode("menu"))],
    ]
    return [Reply(text, buttons)]
