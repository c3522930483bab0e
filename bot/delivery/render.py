"""Turn an outbox row into the replies to send, in the recipient's language, at send time.

Rendering late (not when the row is written) means a person who switched language
or stopped following an application in the meantime gets what they now expect.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.dialogs import payloads, statuses
from bot.dialogs.events import Button, Reply
from bot.dialogs.flows.common import office_block
from bot.i18n import Translator
from storage import applications as apps
from storage.models import Application, ApplicationEvent, User

if TYPE_CHECKING:
    from bot.delivery.worker import Outcome


Renderer = Callable[[AsyncSession, Any, User, Translator, dict[str, Any]], Awaitable[list[Reply] | None]]
RENDERERS: dict[str, Renderer] = {}


def renderer(kind: str) -> Callable[[Renderer], Renderer]:
    """Register how to render outbox rows of `kind` (feature modules register their own)."""

    def deco(fn: Renderer) -> Renderer:
        if kind in RENDERERS:
            raise ValueError(f"renderer {kind!r} registered twice")
        RENDERERS[kind] = fn
        return fn

    return deco


async def render(session: AsyncSession, kb: Any, user: User, kind: str, payload: dict[str, Any]) -> list[Reply] | None:
    """The replies for one outbox row, or None if there is nothing to say any more."""
    fn = RENDERERS.get(kind)
    if fn is None:
        return None
    return await fn(session, kb, user, Translator(user.lang or "uk"), payload)


Hook = Callable[[AsyncSession, Any, "Outcome", Any], Awaitable[None]]  # (session, row, outcome, settings)
HOOKS: dict[str, Hook] = {}


def on_settled(kind: str) -> Callable[[Hook], Hook]:
    """Register what to do, in the same transaction, once a `kind` row's outcome is known
    (e.g. a reminder: mark it sent and plan the next one; or failed, and tell the worker)."""

    def deco(fn: Hook) -> Hook:
        if kind in HOOKS:
            raise ValueError(f"hook {kind!r} registered twice")
        HOOKS[kind] = fn
        return fn

    return deco


@renderer("text")
async def _text(session, kb, user: User, t: Translator, payload: dict[str, Any]) -> list[Reply] | None:
    """Plain text, already in the recipient's language (operator notices, tests)."""
    return [Reply(str(payload.get("text", "")))] if payload.get("text") else None


@renderer("status_change")
async def _status_change(session, kb, user: User, t: Translator, payload: dict[str, Any]) -> list[Reply] | None:
    _ = t.gettext
    app = await session.get(Application, int(payload.get("application_id", 0)))
    event = await session.get(ApplicationEvent, int(payload.get("event_id", 0)))
    if app is None or event is None:
        return None
    sub = await apps.subscription(session, user.id, app.id)
    if sub is None or not sub.notify:
        return None  # stopped following since the change was queued
    lines = [
        _("🔔 The status of your application № {number} has changed: {status}.").format(
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
