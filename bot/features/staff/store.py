"""Staff roles and one-time invitations to them."""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.staff.models import Invite
from storage import people
from storage.db import rowcount
from storage.hashing import token_hash as _hash
from storage.models import Role, User, utcnow

ROLES = ("admin", "staff", "social_worker")


async def create_invite(session: AsyncSession, role: str, scope: str = "", days: int = 7, name: str | None = None) -> str:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    token = secrets.token_urlsafe(16)  # 22 characters: fits a deep link with room to spare
    name = " ".join((name or "").split())[:80] or None
    session.add(Invite(token_hash=_hash(token), role=role, scope=scope, name=name,
                       expires_at=utcnow() + dt.timedelta(days=days)))
    await session.flush()
    return token


async def open_invite(session: AsyncSession, token: str) -> Invite | None:
    """The invitation if it is still valid (not used, not expired)."""
    inv = (await session.execute(select(Invite).where(Invite.token_hash == _hash(token)))).scalar_one_or_none()
    if inv is None or inv.used_at is not None:
        return None
    return inv if inv.expires_at > utcnow() else None


async def accept_invite(session: AsyncSession, token: str, user_id: int) -> Invite | None:
    inv = await open_invite(session, token)
    if inv is None:
        return None
    inv.used_at, inv.used_by = utcnow(), user_id
    exists = await session.execute(
        select(Role).where(Role.user_id == user_id, Role.role == inv.role, Role.scope == inv.scope)
    )
    if exists.scalar_one_or_none() is None:
        session.add(Role(user_id=user_id, role=inv.role, scope=inv.scope))
    if inv.name:
        await people.set_display_name(session, user_id, inv.name)
    await session.flush()
    return inv


async def role_scopes(session: AsyncSession, user_id: int, role: str) -> set[str]:
    rows = await session.execute(select(Role.scope).where(Role.user_id == user_id, Role.role == role))
    return set(rows.scalars())


async def list_roles(session: AsyncSession) -> list[tuple[Role, User]]:
    rows = await session.execute(select(Role, User).join(User, User.id == Role.user_id).order_by(Role.role, Role.scope, Role.id))
    return [(r, u) for r, u in rows.all()]


async def revoke_role(session: AsyncSession, role_id: int) -> bool:
    result = await session.execute(delete(Role).where(Role.id == role_id))
    return bool(rowcount(result))
