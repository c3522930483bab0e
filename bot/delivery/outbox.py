"""The outbox: every message to a person — answers and proactive messages — is written here first.

This is the only module that writes outbox rows.
* Enqueue: in the same transaction as whatever caused the message (the event that is answered, the
  status change, the reminder); the idempotency key makes queueing the same thing twice impossible.
* Order: a person's rows go out one at a time, in the order they fell due (order_at, id): a row is
  claimed only when no earlier row of theirs is still pending or being sent — a retry moves a row's
  due_at but not its place — so a later message never overtakes an earlier one. Across people, answers
  (priority 0) go before proactive messages (1). (A worker that delivers only some kinds — answers only,
  where no full worker runs — keeps that order among the kinds it delivers.)
* Claims that fence: a claim sets a lease and increments `attempts`, which is the claim's fencing
  token. The holder renews the lease while it is sending; renewing or settling a row checks the token,
  so a process whose lease ran out (and whose row someone else took) can change nothing. A row is sent
  twice only if its process died after the platform took it and before the outcome was written.
* Settling erases the payload: what was said to a person is not kept once it is delivered (or
  cancelled); the row stays as a record (state, time, billing).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, case, exists, func, literal, or_, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.db import Database, rowcount
from storage.models import Outbox, User, utcnow

REPLY = "reply"  # the kind of a row that answers an event (its payload: the replies, already rendered)
OPEN = ("pending", "sending")
ANSWER, NORMAL = 0, 1  # priorities


@dataclass(frozen=True)
class Claimed:
    """A row this process holds (until it settles it or its lease runs out)."""

    id: int
    user_id: int
    channel: str
    kind: str
    payload: dict[str, Any]
    attempts: int  # the fencing token of this claim
    priority: int = NORMAL
    progress: int = 0  # parts an earlier attempt delivered
    external_id: str = ""
    blocked: bool = False  # the person was already known to be unreachable
    send_after: float | None = None  # the person's chat budget (bot/delivery/pacing.py)
    last_written_at: dt.datetime | None = None


def _insert(session: AsyncSession):
    return pg_insert if session.bind is not None and session.bind.dialect.name == "postgresql" else sqlite_insert


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
    priority: int = NORMAL,
) -> bool:
    """Add a message unless one with the same idempotency key exists. True if added."""
    now = now or utcnow()
    values = dict(user_id=user_id, channel=channel, kind=kind, payload=payload, idempotency_key=key,
                  due_at=due_at or now, order_at=due_at or now, state="pending", attempts=0, created_at=now,
                  priority=priority, progress=0)
    stmt = _insert(session)(Outbox).values(**values).on_conflict_do_nothing(index_elements=["idempotency_key"])
    return bool(rowcount(await session.execute(stmt)))


def _earlier_open(row: Any, kinds: tuple[str, ...] | None) -> Any:
    """An earlier row of the same person that is still pending or being sent (it goes first)."""
    e = aliased(Outbox)
    stmt = exists().where(e.user_id == row.user_id, e.state.in_(OPEN),
                          or_(e.order_at < row.order_at, and_(e.order_at == row.order_at, e.id < row.id)))
    return stmt.where(e.kind.in_(kinds)) if kinds is not None else stmt


async def enqueue_reply(session: AsyncSession, *, user_id: int, channel: str, replies: list[dict[str, Any]],
                        meta: dict[str, Any], key: str | None, now: dt.datetime, lease: float | None,
                        person: User | None = None, progress: int = 0,
                        kinds: tuple[str, ...] | None = None) -> Claimed | None:
    """The answers to an event, in the event's own transaction. With a lease (this process delivers
    to the channel) the row is claimed at once when nothing earlier is waiting for the person, and
    returned: it goes out without a trip through the queue."""
    payload = {"replies": replies, "meta": meta}
    idem = f"{REPLY}:{channel}:{key}" if key else f"{REPLY}:{uuid.uuid4().hex}"
    conn = await session.connection()
    if lease is None:
        await conn.execute(_insert(session)(Outbox).values(
            user_id=user_id, channel=channel, kind=REPLY, payload=payload, idempotency_key=idem, due_at=now,
            order_at=now, state="pending", attempts=0, created_at=now, priority=ANSWER, progress=progress))
        return None
    waiting = exists().where(Outbox.user_id == user_id, Outbox.state.in_(OPEN), Outbox.order_at <= now)
    if kinds is not None:  # the claiming worker delivers only these kinds (see the module's note on order)
        waiting = waiting.where(Outbox.kind.in_(kinds))
    flags = select(waiting.label("waiting")).subquery()
    until = now + dt.timedelta(seconds=lease)
    columns: dict[str, Any] = {
        "user_id": literal(user_id), "channel": literal(channel), "kind": literal(REPLY),
        "payload": literal(payload, Outbox.payload.type), "idempotency_key": literal(idem),
        "due_at": literal(now, Outbox.due_at.type), "order_at": literal(now, Outbox.order_at.type),
        "created_at": literal(now, Outbox.created_at.type),
        "priority": literal(ANSWER), "progress": literal(progress),
        "state": case((flags.c.waiting, "pending"), else_="sending"),
        "attempts": case((flags.c.waiting, 0), else_=1),
        "claimed_until": case((flags.c.waiting, None), else_=literal(until, Outbox.claimed_until.type)),
    }
    stmt = (_insert(session)(Outbox).from_select(list(columns), select(*columns.values()).select_from(flags))
            .returning(Outbox.id, Outbox.state))
    row = (await conn.execute(stmt)).one()
    row_id, state = int(row[0]), str(row[1])
    if state != "sending":
        return None
    if person is None:
        return Claimed(row_id, user_id, channel, REPLY, payload, 1, ANSWER, progress)
    return Claimed(row_id, user_id, channel, REPLY, payload, 1, ANSWER, progress, person.external_id, False,
                   person.send_after, person.last_written_at)


def _claim_query(channels: list[str], limit: int, now: dt.datetime, *, kinds: tuple[str, ...] | None,
                 user_id: int | None, up_to: int | None, postgres: bool):
    o = Outbox
    due = and_(o.state == "pending", o.due_at <= now)
    expired = and_(o.state == "sending", o.claimed_until < now)
    conditions = [o.channel.in_(channels), or_(due, expired), ~_earlier_open(o, kinds)]
    if kinds is not None:
        conditions.append(o.kind.in_(kinds))
    if user_id is not None:
        conditions.append(o.user_id == user_id)
    if up_to is not None:
        conditions.append(o.id <= up_to)
    stmt = select(o.id).where(*conditions).order_by(o.priority, o.order_at, o.id).limit(limit)
    return stmt.with_for_update(skip_locked=True, of=o) if postgres else stmt


async def claim_in(session: AsyncSession, channels: list[str], limit: int, lease: float, now: dt.datetime, *,
                   kinds: tuple[str, ...] | None = None, user_id: int | None = None,
                   up_to: int | None = None) -> list[Claimed]:
    """Claim due rows in the caller's transaction (`user_id`: that person's next; `up_to`: only rows
    queued by then)."""
    conn = await session.connection()
    postgres = conn.dialect.name == "postgresql"
    ids: list[int] = list((await conn.execute(_claim_query(channels, limit, now, kinds=kinds, user_id=user_id, up_to=up_to,
                                                postgres=postgres))).scalars())
    if not ids:
        return []
    await conn.execute(update(Outbox).where(Outbox.id.in_(ids)).values(
        state="sending", claimed_until=now + dt.timedelta(seconds=lease), attempts=Outbox.attempts + 1))
    rows = await conn.execute(
        select(Outbox.id, Outbox.user_id, Outbox.channel, Outbox.kind, Outbox.payload, Outbox.attempts, Outbox.priority,
               Outbox.progress, User.external_id, User.blocked_at, User.send_after, User.last_written_at)
        .join(User, User.id == Outbox.user_id).where(Outbox.id.in_(ids))
        .order_by(Outbox.priority, Outbox.order_at, Outbox.id))
    return [Claimed(r.id, r.user_id, r.channel, r.kind, dict(r.payload or {}), r.attempts, r.priority, r.progress,
                    r.external_id, r.blocked_at is not None, r.send_after, r.last_written_at) for r in rows]


async def claim(db: Database, channels: list[str], limit: int = 50, lease: float = 60.0,
                now: dt.datetime | None = None, *, kinds: tuple[str, ...] | None = None) -> list[Claimed]:
    """Claim due rows: on PostgreSQL `FOR UPDATE SKIP LOCKED`, so processes never take the same row; on
    SQLite the claim runs in a `BEGIN IMMEDIATE` transaction, which serialises claimers."""
    async with db.sessions() as session, session.begin():
        return await claim_in(session, channels, limit, lease, now or utcnow(), kinds=kinds)


async def last_id(db: Database) -> int:
    async with db.sessions() as session:
        return int((await session.execute(select(func.max(Outbox.id)))).scalar() or 0)


async def renew(db: Database, held: list[Claimed], lease: float, now: dt.datetime) -> set[int]:
    """Extend the leases of rows still held by this process; the ids whose claim is still ours."""
    if not held:
        return set()
    async with db.sessions() as session, session.begin():
        result = await session.execute(
            update(Outbox)
            .where(Outbox.state == "sending", tuple_(Outbox.id, Outbox.attempts).in_([(r.id, r.attempts) for r in held]))
            .values(claimed_until=now + dt.timedelta(seconds=lease))
            .returning(Outbox.id))
        return set(result.scalars())


async def settle_in(
    session: AsyncSession, row: Claimed, state: str, *, error: str | None = None, retry_in: float | None = None,
    billing: str | None = None, progress: int | None = None, now: dt.datetime | None = None,
) -> bool:
    """Record the outcome: sent, failed, cancelled; or back to pending for another try in `retry_in`
    seconds (resuming after `progress` parts). False if the claim is no longer ours."""
    now = now or utcnow()
    values: dict[str, Any] = {"claimed_until": None, "last_error": (error or None) and error[:300]}
    if billing:
        values["billing"] = billing
    if progress is not None:
        values["progress"] = progress
    if retry_in is not None:
        values.update(state="pending", due_at=now + dt.timedelta(seconds=retry_in))
    else:
        values.update(state=state, payload={})
        if state == "sent":
            values["sent_at"] = now
    result = await session.execute(update(Outbox).where(Outbox.id == row.id, Outbox.state == "sending",
                                                        Outbox.attempts == row.attempts).values(**values))
    return bool(rowcount(result))


async def settle(db: Database, row: Claimed, state: str, **kw: Any) -> bool:
    async with db.sessions() as session, session.begin():
        return await settle_in(session, row, state, **kw)


async def release(db: Database, rows: list[tuple[Claimed, int]]) -> None:
    """Give rows back (a process stopping): pending again at once, resuming after the parts delivered."""
    if not rows:
        return
    async with db.sessions() as session, session.begin():
        for row, progress in rows:
            await session.execute(update(Outbox).where(Outbox.id == row.id, Outbox.state == "sending",
                                                       Outbox.attempts == row.attempts)
                                  .values(state="pending", claimed_until=None, progress=progress))


async def cancel_pending_for(session: AsyncSession, user_id: int, reason: str) -> int:
    result = await session.execute(
        update(Outbox)
        .where(Outbox.user_id == user_id, Outbox.state.in_(OPEN))
        .values(state="cancelled", last_error=reason[:300], claimed_until=None, payload={})
    )
    return rowcount(result)


async def cancel_keys(session: AsyncSession, keys: list[str], reason: str) -> int:
    """Cancel the pending rows with these idempotency keys (e.g. a reminder the worker cancelled)."""
    if not keys:
        return 0
    result = await session.execute(
        update(Outbox)
        .where(Outbox.idempotency_key.in_(keys), Outbox.state == "pending")
        .values(state="cancelled", last_error=reason[:300], payload={})
    )
    return rowcount(result)


async def open_rows(db: Database, channels: list[str] | None = None) -> int:
    """Rows due and not yet settled (tests and the drain wait on this)."""
    async with db.sessions() as session:
        stmt = select(func.count()).select_from(Outbox).where(Outbox.state.in_(OPEN), Outbox.due_at <= utcnow())
        if channels is not None:
            stmt = stmt.where(Outbox.channel.in_(channels))
        return int((await session.execute(stmt)).scalar_one())


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


__all__ = ["ANSWER", "NORMAL", "OPEN", "REPLY", "Claimed", "cancel_keys", "cancel_pending_for", "claim", "claim_in",
           "enqueue", "enqueue_reply", "monthly_counts", "open_rows", "release", "renew", "settle",
           "settle_in"]
