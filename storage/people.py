"""People: who is writing (a channel + chat id), their conversation state and roles, and forgetting them.

The SQL the conversation core needs for every event; features keep their own SQL beside them."""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Conversation, Role, StaffProfile, User, utcnow


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
