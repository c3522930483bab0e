"""The outbox: enqueue, claim atomically, and settle proactive messages.

This is the only module that writes outbox rows. A message is written to the outbox (in the same
transaction as whatever caused it) before anything is sent. Senders claim due rows with a lease: `FOR UPDATE SKIP
LOCKED` on PostgreSQL, so several processes never take the same row; on SQLite the
claim runs in a `BEGIN IMMEDIATE` transaction, which serialises claimers. A process
that dies mid-send leaves its rows "sending" with an expired lease; they are taken
again. The idempotency key makes enqueueing the same thing twice impossible.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database, is_sqlite, rowcount
from storage.models import Outbox, User, utcnow


@dataclass(frozen=True)
class Claimed:
    id: int
    user_id: int
    channel: str
    kind: str
    payload: dict[str, Any]
    attempts: int


async def enqueue(
    session: AsyncSession,
    *,
    user_id: int,
    channel: str,
    kind: str,
    payload: dict[str, Any],
    key: str,
    due_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> bool:
    """Add a message unless one with the same idempotency key exists. True if added."""
    now = now or utcnow()
    values = dict(user_id=user_id, channel=channel, kind=kind, payload=payload, idempotency_key=key,
                  due_at=due_at or now, state="pending", attempts=0, created_at=now)
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert(Outbox).values(**values).on_conflict_do_nothing(index_elements=["idempotency_key"])
    result = await session.execute(stmt)
    return bool(rowcount(result))


async def claim(db: Database, channels: list[str], limit: int = 50, lease: float = 60.0,
                now: dt.datetime | None = None, recipients: Mapping[str, Collection[str]] | None = None) -> list[Claimed]:
    """Claim due rows of these channels; `recipients` limits a channel to some people (by external id):
    a console process can write only to the person typing in it, and must leave the others' rows alone."""
    now = now or utcnow()
    expired = and_(Outbox.state == "sending", Outbox.claimed_until < now)
    due = and_(Outbox.state == "pending", Outbox.due_at <= now)
    mine = [
        or_(Outbox.channel != channel,
            Outbox.user_id.in_(select(User.id).where(User.channel == channel, User.external_id.in_(list(ids)))))
        for channel, ids in (recipients or {}).items()
    ]
    stmt = (
        select(Outbox.id)
        .where(Outbox.channel.in_(channels), or_(due, expired), *mine)
        .order_by(Outbox.due_at, Outbox.id)
        .limit(limit)
    )
    if not is_sqlite(db.url):
        stmt = stmt.with_for_update(skip_locked=True)
    async with db.sessions() as session, session.begin():
        ids = list((await session.execute(stmt)).scalars())
        if not ids:
            return []
        await session.execute(
            update(Outbox)
            .where(Outbox.id.in_(ids))
            .values(state="sending", claimed_until=now + dt.timedelta(seconds=lease), attempts=Outbox.attempts + 1)
        )
        rows = (await session.execute(select(Outbox).where(Outbox.id.in_(ids)).order_by(Outbox.due_at, Outbox.id))).scalars()
        return [Claimed(r.id, r.user_id, r.channel, r.kind, dict(r.payload or {}), r.attempts) for r in rows]


async def settle(
    db: Database, row_id: int, state: str, *, error: str | None = None, retry_in: float | None = None,
    billing: str | None = None, now: dt.datetime | None = None,
) -> None:
    async with db.sessions() as session, session.begin():
        await settle_in(session, row_id, state, error=error, retry_in=retry_in, billing=billing, now=now)


async def settle_in(
    session: AsyncSession, row_id: int, state: str, *, error: str | None = None, retry_in: float | None = None,
    billing: str | None = None, now: dt.datetime | None = None,
) -> bool:
    """Record the outcome: sent, failed, cancelled; or back to pending after `retry_in` seconds.
    False if the row is no longer ours (re-claimed after our lease expired, or cancelled)."""
    now = now or utcnow()
    values: dict[str, Any] = {"claimed_until": None, "last_error": (error or None) and error[:300]}
    if billing:
        values["billing"] = billing
    if retry_in is not None:
        values.update(state="pending", due_at=now + dt.timedelta(seconds=retry_in))
    else:
        values["state"] = state
        if state == "sent":
            values["sent_at"] = now
    # Only the holder of the claim settles it (a row re-claimed after a lease expiry is not ours).
    result = await session.execute(update(Outbox).where(Outbox.id == row_id, Outbox.state == "sending").values(**values))
    return bool(rowcount(result))


async def cancel_pending_for(session: AsyncSession, user_id: int, reason: str) -> int:
    result = await session.execute(
        update(Outbox)
        .where(Outbox.user_id == user_id, Outbox.state.in_(("pending", "sending")))
        .values(state="cancelled", last_error=reason[:300], claimed_until=None)
    )
    return rowcount(result)


async def cancel_keys(session: AsyncSession, keys: list[str], reason: str) -> int:
    """Cancel the pending rows with these idempotency keys (e.g. a reminder the worker cancelled)."""
    if not keys:
        return 0
    result = await session.execute(
        update(Outbox)
        .where(Outbox.idempotency_key.in_(keys), Outbox.state == "pending")
        .values(state="cancelled", last_error=reason[:300])
    )
    return rowcount(result)


async def monthly_counts(db: Database, channel: str) -> list[tuple[str, str, int]]:
    """(YYYY-MM, billing, messages sent) for a channel: what Viber will invoice."""
    async with db.sessions() as session:
        rows = await session.execute(
            select(Outbox.sent_at, Outbox.billing).where(Outbox.channel == channel, Outbox.state == "sent")
        )
        counts: dict[tuple[str, str], int] = {}
        for sent_at, billing in rows.all():
            key = (f"{sent_at:%Y-%m}", billing or "unknown")
            counts[key] = counts.get(key, 0) + 1
    return sorted((month, billing, n) for (month, billing), n in counts.items())
