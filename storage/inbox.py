"""The inbox: which platform updates were taken, so that a repeat is recognised (even after a restart).

An update is recorded in the same transaction that handles it — so it is recorded exactly when its
effects (state, answers queued in the outbox) are. Only the platform's id of the update is kept, and
only for as long as a platform re-sends (Telegram keeps unanswered updates for a day).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import rowcount
from storage.models import Inbox

KEEP = dt.timedelta(days=3)


async def record(session: AsyncSession, channel: str, key: str, now: dt.datetime) -> bool:
    """Note that this update is being taken. False if it was taken before (by any process)."""
    conn = await session.connection()
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    stmt = insert(Inbox).values(channel=channel, event_key=key[:64], created_at=now).on_conflict_do_nothing()
    return bool(rowcount(await conn.execute(stmt)))


async def purge(session: AsyncSession, now: dt.datetime, keep: dt.timedelta = KEEP) -> int:
    return rowcount(await session.execute(delete(Inbox).where(Inbox.created_at < now - keep)))
