"""Repository functions: the only place that writes SQL for the conversation core."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Checklist, Conversation, Role, SearchMiss, User, utcnow


async def get_or_create_user(session: AsyncSession, channel: str, external_id: str) -> tuple[User, bool]:
    stmt = select(User).where(User.channel == channel, User.external_id == external_id)
    user = (await session.execute(stmt)).scalar_one_or_none()
    if user is not None:
        return user, False
    user = User(channel=channel, external_id=external_id)
    session.add(user)
    await session.flush()
    return user, True


async def find_user(session: AsyncSession, channel: str, external_id: str) -> User | None:
    stmt = select(User).where(User.channel == channel, User.external_id == external_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def load_state(session: AsyncSession, user_id: int, *, lock: bool) -> Conversation:
    """The user's conversation row, locked on PostgreSQL so two processes serialise per user."""
    stmt = select(Conversation).where(Conversation.user_id == user_id)
    if lock:
        stmt = stmt.with_for_update()
    conv = (await session.execute(stmt)).scalar_one_or_none()
    if conv is None:
        conv = Conversation(user_id=user_id, state={})
        session.add(conv)
        await session.flush()
    return conv


async def mark_blocked(session: AsyncSession, channel: str, external_id: str) -> None:
    await session.execute(
        update(User)
        .where(User.channel == channel, User.external_id == external_id, User.blocked_at.is_(None))
        .values(blocked_at=utcnow())
    )


async def roles_of(session: AsyncSession, user_id: int) -> set[str]:
    rows = await session.execute(select(Role.role).where(Role.user_id == user_id))
    return set(rows.scalars())


async def grant_role(session: AsyncSession, user_id: int, role: str, scope: str = "") -> None:
    if role not in await roles_of(session, user_id):
        session.add(Role(user_id=user_id, role=role, scope=scope))
        await session.flush()


# --- checklists ---------------------------------------------------------------------------


async def get_checklist(session: AsyncSession, user_id: int, service_id: str) -> Checklist | None:
    stmt = select(Checklist).where(Checklist.user_id == user_id, Checklist.service_id == service_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def start_checklist(session: AsyncSession, user_id: int, service_id: str) -> Checklist:
    cl = await get_checklist(session, user_id, service_id)
    if cl is None:
        cl = Checklist(user_id=user_id, service_id=service_id, ticked=[])
        session.add(cl)
        await session.flush()
    return cl


async def set_ticked(session: AsyncSession, cl: Checklist, ticked: list[str], complete: bool) -> None:
    cl.ticked = sorted(set(ticked))  # a new list object so the JSON column is marked dirty
    cl.updated_at = utcnow()
    cl.completed_at = (cl.completed_at or utcnow()) if complete else None
    await session.flush()


async def list_checklists(session: AsyncSession, user_id: int) -> list[Checklist]:
    stmt = select(Checklist).where(Checklist.user_id == user_id).order_by(Checklist.updated_at.desc())
    return list((await session.execute(stmt)).scalars())


# --- search misses (anonymous) ---------------------------------------------------------------


_EMAIL = re.compile(r"\S+@\S+")
_LONG_NUMBER = re.compile(r"\d[\d\s()+-]{4,}\d")


def scrub(query: str) -> str:
    """People type phone numbers, e-mails and document numbers into search: keep the words, not those."""
    return _LONG_NUMBER.sub("<number>", _EMAIL.sub("<email>", query))


async def record_search_miss(
    session: AsyncSession, query: str, lang: str, best_id: str | None, best_score: float | None
) -> None:
    session.add(SearchMiss(query=scrub(query)[:200], lang=lang, best_id=best_id, best_score=best_score))
    await session.flush()


async def top_search_misses(session: AsyncSession, since: dt.datetime, limit: int = 50) -> list[tuple[str, int]]:
    stmt = (
        select(SearchMiss.query, func.count())
        .where(SearchMiss.created_at >= since)
        .group_by(SearchMiss.query)
        .order_by(func.count().desc())
        .limit(limit)
    )
    return [(q, n) for q, n in (await session.execute(stmt)).all()]


# --- privacy ---------------------------------------------------------------------------------


async def forget_user(session: AsyncSession, user_id: int) -> None:
    """Delete everything personal: every row that references the person (found from the schema,
    so a new feature's table is covered without touching this), then the person.

    Rows that reference the person directly are deleted explicitly; rows hanging off those (a
    reminder's occurrences) go by ON DELETE CASCADE, which SQLite (PRAGMA foreign_keys) and
    PostgreSQL both enforce here. tests/test_storage.py scans every table afterwards."""
    from storage.models import Base

    users_id = User.__table__.c.id
    for table in reversed(Base.metadata.sorted_tables):
        for fk in table.foreign_keys:
            if fk.column is not users_id:
                continue
            column = fk.parent
            if (fk.ondelete or "").upper() == "SET NULL":
                await session.execute(update(table).where(column == user_id).values({column.name: None}))
            else:
                await session.execute(delete(table).where(column == user_id))
    await session.execute(delete(User).where(User.id == user_id))
