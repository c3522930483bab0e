"""The inbox: which platform updates were taken, so that a repeat is recognised (even after a restart).

An update is recorded in the same transaction that handles it — so it is recorded exactly when its
effects (state, answers queued in the outbox) are. Only the platform's id of the update is kept, and
only for as long as a platform re-sends (Telegram keeps unanswered updates for a day).
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import cast

from sqlalchemy import Table, bindparam, delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import rowcount
from storage.models import Inbox

KEEP = dt.timedelta(days=3)


@functools.cache
def _record(postgres: bool):
    insert = pg_insert if postgres else sqlite_insert
    t = cast(Table, Inbox.__table__)
    return insert(t).values(channel=bindparam("ch"), event_key=bindparam("key"),
                            created_at=bindparam("now", type_=t.c.created_at.type)).on_conflict_do_nothing()


async def record(session: AsyncSession, channel: str, key: str, now: dt.datetime) -> bool:
    """Note that this update is being taken. False if it was taken before (by any process)."""
    conn = await session.connection()
    result = await conn.execute(_record(conn.dialect.name == "postgresql"), {"ch": channel, "key": key[:64], "now": now})
    return bool(rowcount(result))


async def purge(session: AsyncSession, now: dt.datetime, keep: dt.timedelta = KEEP) -> int:
    return rowcount(await session.execute(delete(Inbox).where(Inbox.created_at < now - keep)))
