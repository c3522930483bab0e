"""People: who is writing (a channel + chat id), their conversation state and roles, and forgetting them.

The SQL the conversation core needs for every event; features keep their own SQL beside them. The
event's own statements are SQLAlchemy Core (no ORM unit of work): the person, their conversation and
their roles come in one statement; the person's row is handed to the ORM session without a second
query, so a flow that changes it (the language) has the change saved as usual."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import make_transient_to_detached

from storage.models import Conversation, Role, StaffProfile, User, utcnow

_PERSON_COLUMNS = (User.id, User.lang, User.privacy_seen, User.blocked_at, User.created_at, User.last_seen_at,
                   User.last_written_at, User.send_after)


@dataclass
class Person:
    user: User  # in the session: changes a flow makes to it are saved with the event
    state: dict[str, Any]  # the conversation's stored state (a copy the caller may change)
    roles: set[str]
    new: bool = False  # created by this event


@functools.cache
def _person_statement(lock: bool):
    """Built once (the event's statements cost more to build than to run)."""
    roles = select(func.aggregate_strings(Role.role, ",")).where(Role.user_id == User.id).scalar_subquery()
    stmt = (select(*_PERSON_COLUMNS, Conversation.state, roles)
            .join(Conversation, Conversation.user_id == User.id)
            .where(User.channel == bindparam("channel"), User.external_id == bindparam("external_id")))
    # Both rows locked: a process that waited for the lock then reads both as the other left them.
    return stmt.with_for_update(of=(User, Conversation)) if lock else stmt


_C = cast(Table, Conversation.__table__)
_SAVE = update(_C).where(_C.c.user_id == bindparam("uid")).values(state=bindparam("new_state", type_=_C.c.state.type),
                                                                  updated_at=bindparam("now", type_=_C.c.updated_at.type))


async def load_person(session: AsyncSession, channel: str, external_id: str, *, lock: bool) -> Person | None:
    """The person with their conversation state and roles, in one statement (their rows locked on
    PostgreSQL, so that two processes take one person's events in turn)."""
    conn = await session.connection()
    who = {"channel": channel, "external_id": external_id}
    row = (await conn.execute(_person_statement(lock), who)).first()
    if row is None:
        # Someone without a conversation yet (made by a CLI command or an older version)?
        user_id = (await conn.execute(select(User.id).where(User.channel == channel,
                                                            User.external_id == external_id))).scalar()
        if user_id is None:
            return None
        await conn.execute(_insert(conn)(Conversation).values(user_id=user_id, state={}, updated_at=utcnow())
                           .on_conflict_do_nothing())
        row = (await conn.execute(_person_statement(lock), who)).one()
    values = dict(zip((c.key for c in _PERSON_COLUMNS), row[: len(_PERSON_COLUMNS)], strict=True))
    user = User(channel=channel, external_id=external_id, **values)
    make_transient_to_detached(user)
    session.add(user)
    state, roles = row[len(_PERSON_COLUMNS):]
    return Person(user, dict(state or {}), set(roles.split(",")) if roles else set())


def _insert(conn: Any):
    return pg_insert if conn.dialect.name == "postgresql" else sqlite_insert


async def create_person(session: AsyncSession, channel: str, external_id: str, lang: str | None,
                        now: dt.datetime) -> Person:
    """A new person (two processes creating the same one at once: one gets an IntegrityError)."""
    conn = await session.connection()
    user_id = (await conn.execute(
        insert(User).values(channel=channel, external_id=external_id, lang=lang, privacy_seen=False,
                            created_at=now, last_seen_at=now).returning(User.id))).scalar_one()
    await conn.execute(insert(Conversation).values(user_id=user_id, state={}, updated_at=now))
    user = User(id=user_id, channel=channel, external_id=external_id, lang=lang, privacy_seen=False, blocked_at=None,
                created_at=now, last_seen_at=now, last_written_at=None, send_after=None)
    make_transient_to_detached(user)
    session.add(user)
    return Person(user, {}, set(), new=True)


async def save_state(session: AsyncSession, person: Person, state: dict[str, Any], now: dt.datetime) -> None:
    conn = await session.connection()
    await conn.execute(_SAVE, {"uid": person.user.id, "new_state": state, "now": now})


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


async def display_names(session: AsyncSession, user_ids: list[int]) -> dict[int, str]:
    """The names staff and social workers gave themselves, by user id (people without one are left out)."""
    if not user_ids:
        return {}
    rows = await session.execute(select(StaffProfile.user_id, StaffProfile.display_name)
                                 .where(StaffProfile.user_id.in_(user_ids)))
    return {uid: name for uid, name in rows.all()}


async def set_display_name(session: AsyncSession, user_id: int, name: str) -> None:
    profile = await session.get(StaffProfile, user_id)
    if profile is None:
        session.add(StaffProfile(user_id=user_id, display_name=name[:80]))
    else:
        profile.display_name = name[:80]
    await session.flush()


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
