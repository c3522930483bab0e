"""The audit log of staff actions: appended in the same transaction as the action, never edited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import N_
from bot.webui.auth import Staff
from bot.webui.models import AuditEntry
from storage.models import utcnow

# What each action is called in the log (English msgids, translated when shown).
ACTIONS = {
    "sign_in": N_("signed in"),
    "sign_in_refused": N_("sign-in refused"),
    "sign_out": N_("signed out"),
    "link_created": N_("sign-in link created"),
    "status_upload": N_("uploaded application statuses"),
    "token_created": N_("API token created"),
    "token_revoked": N_("API token revoked"),
    "role_revoked": N_("role revoked"),
    "invite_created": N_("invitation created"),
    "reminder_created": N_("reminder created"),
    "reminder_changed": N_("reminder changed"),
    "reminder_cancelled": N_("reminder cancelled"),
    "client_invited": N_("client invited"),
    "synonym_added": N_("synonym added"),
    "query_not_ours": N_("query marked not our service"),
    "feedback_export": N_("feedback exported"),
    "open_data_export": N_("open data exported"),
    "audit_export": N_("audit log exported"),
}


def record(session: AsyncSession, staff: Staff | None, action: str, target: str = "", *,
           subject_id: int | None = None, details: dict[str, Any] | None = None,
           actor_id: int | None = None) -> AuditEntry:
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    entry = AuditEntry(at=utcnow(), actor_id=staff.user_id if staff else actor_id, actor_roles=staff.label() if staff else "",
                       action=action, target=target[:200], subject_id=subject_id, details=details or {})
    session.add(entry)
    return entry


async def entries(session: AsyncSession, *, since: dt.datetime | None = None, until: dt.datetime | None = None,
                  action: str | None = None, limit: int | None = 200, before_id: int | None = None) -> list[AuditEntry]:
    stmt = select(AuditEntry).order_by(AuditEntry.id.desc())
    if since:
        stmt = stmt.where(AuditEntry.at >= since)
    if until:
        stmt = stmt.where(AuditEntry.at < until)
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    if before_id:
        stmt = stmt.where(AuditEntry.id < before_id)
    if limit:
        stmt = stmt.limit(limit)
    return list((await session.execute(stmt)).scalars())
