"""Feedback storage: anonymous responses, duplicate receipts, who the office's staff are."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.feedback.models import FeedbackReceipt, FeedbackResponse
from storage.hashing import keyed_hash
from storage.models import Role, User

STAFF_ROLES = ("staff", "admin")
RECEIPT_DAYS = 2  # today and yesterday (a visit that straddles midnight); older receipts are deleted


def receipt_key(secret: bytes, user_id: int, office_id: str, day: dt.date) -> str:
    """HMAC of (person, office, day): checkable for this person, meaningless without the server's key."""
    return keyed_hash(secret, user_id, office_id, day.isoformat())


async def forget_receipts(session: AsyncSession, secret: bytes, user_id: int, offices: list[str],
                          today: dt.date) -> None:
    """/forget: the person's receipts go too (a keyed hash of their id is still about them)."""
    days = [today - dt.timedelta(days=n) for n in range(-1, RECEIPT_DAYS + 1)]
    keys = [receipt_key(secret, user_id, office, day) for office in offices for day in days]
    await session.execute(delete(FeedbackReceipt).where(FeedbackReceipt.key_hash.in_(keys)))


async def has_receipt(session: AsyncSession, key: str) -> bool:
    return await session.get(FeedbackReceipt, key) is not None


async def save_response(session: AsyncSession, key: str, response: FeedbackResponse) -> bool:
    """Store a completed response unless this person already answered for the office that day."""
    if await has_receipt(session, key):
        return False
    await session.execute(delete(FeedbackReceipt).where(FeedbackReceipt.day < response.day - dt.timedelta(days=RECEIPT_DAYS - 1)))
    session.add(FeedbackReceipt(key_hash=key, day=response.day))
    session.add(response)
    await session.flush()
    return True


async def staff_of(session: AsyncSession, office_id: str) -> list[User]:
    """Staff and admins of the office, and those of every office (scope "")."""
    rows = await session.execute(
        select(User)
        .join(Role, Role.user_id == User.id)
        .where(Role.role.in_(STAFF_ROLES), or_(Role.scope == office_id, Role.scope == ""))
        .distinct()
        .order_by(User.id)
    )
    return list(rows.scalars())


async def office_scopes(session: AsyncSession, user_id: int) -> set[str] | None:
    """The offices whose results this person may see; None means every office (an admin without scope)."""
    rows = await session.execute(select(Role.scope).where(Role.user_id == user_id, Role.role.in_(STAFF_ROLES)))
    scopes = set(rows.scalars())
    return None if "" in scopes else scopes


async def responses(
    session: AsyncSession, offices: list[str] | None = None, since: dt.date | None = None, until: dt.date | None = None
) -> list[FeedbackResponse]:
    stmt = select(FeedbackResponse).order_by(FeedbackResponse.day, FeedbackResponse.id)
    if offices is not None:
        stmt = stmt.where(FeedbackResponse.office_id.in_(offices))
    if since:
        stmt = stmt.where(FeedbackResponse.day >= since)
    if until:
        stmt = stmt.where(FeedbackResponse.day <= until)
    return list((await session.execute(stmt)).scalars())
