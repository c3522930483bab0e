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

import contextlib
import datetime as dt
import functools
import uuid
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, case, exists, func, insert, literal, or_, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database, rowcount
from storage.models import Outbox, User, utcnow

# The statements of the answer path are built once (bound values as parameters): building one costs
# far more than running it.
T, U = cast(Table, Outbox.__table__), cast(Table, User.__table__)


def _is_open(table: Any) -> Any:
    return or_(table.c.state == "pending", table.c.state == "sending")  # (IN (…) would be expanded each time)

REPLY = "reply"  # the kind of a row that answers an event (its payload: the replies, already rendered)
SCRUB = "_about_forgotten"  # payload mark: queued while a person was being forgotten (see about_forgotten)
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


_forgetting: ContextVar[bool] = ContextVar("forgetting", default=False)


@contextlib.contextmanager
def about_forgotten() -> Iterator[None]:
    """Rows queued meanwhile are about a person being forgotten (a worker told that their client
    left, by the name the worker gave them): once such a row is delivered and its payload erased, the
    delivery worker has SQLite empty its write-ahead log, so the erased words leave the files too."""
    token = _forgetting.set(True)
    try:
        yield
    finally:
        _forgetting.reset(token)


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
    if _forgetting.get():
        payload = {**payload, SCRUB: True}
    values = dict(user_id=user_id, channel=channel, kind=kind, payload=payload, idempotency_key=key,
                  due_at=due_at or now, order_at=due_at or now, state="pending", attempts=0, created_at=now,
                  priority=priority, progress=0)
    stmt = _insert(session)(Outbox).values(**values).on_conflict_do_nothing(index_elements=["idempotency_key"])
    return bool(rowcount(await session.execute(stmt)))


@functools.cache
def _earlier_open(only_kinds: bool) -> Any:
    """An earlier row of the same person that is still pending or being sent (it goes first)."""
    e = T.alias("earlier")
    stmt = exists().where(e.c.user_id == T.c.user_id, _is_open(e),
                          or_(e.c.order_at < T.c.order_at, and_(e.c.order_at == T.c.order_at, e.c.id < T.c.id)))
    return stmt.where(e.c.kind.in_(bindparam("kinds", expanding=True))) if only_kinds else stmt


@functools.cache
def _reply_insert(claimable: bool, only_kinds: bool) -> Any:
    columns: dict[str, Any] = {
        "user_id": bindparam("user_id"), "channel": bindparam("channel"), "kind": literal(REPLY),
        "payload": bindparam("payload", type_=T.c.payload.type), "idempotency_key": bindparam("key"),
        "due_at": bindparam("now", type_=T.c.due_at.type), "order_at": bindparam("now", type_=T.c.due_at.type),
        "created_at": bindparam("now", type_=T.c.due_at.type), "priority": literal(ANSWER),
        "progress": bindparam("progress"),
    }
    if not claimable:
        return insert(T).from_select(list(columns), select(*columns.values()))
    waiting = exists().where(T.c.user_id == bindparam("user_id"), _is_open(T),
                             T.c.order_at <= bindparam("now", type_=T.c.due_at.type))
    if only_kinds:  # the claiming worker delivers only these kinds (see the module's note on order)
        waiting = waiting.where(T.c.kind.in_(bindparam("kinds", expanding=True)))
    flags = select(waiting.label("waiting")).subquery()
    columns.update(state=case((flags.c.waiting, "pending"), else_="sending"),
                   attempts=case((flags.c.waiting, 0), else_=1),
                   claimed_until=case((flags.c.waiting, None), else_=bindparam("until", type_=T.c.claimed_until.type)))
    return (insert(T).from_select(list(columns), select(*columns.values()).select_from(flags))
            .returning(T.c.id, T.c.state))


async def enqueue_reply(session: AsyncSession, *, user_id: int, channel: str, replies: list[dict[str, Any]],
                        meta: dict[str, Any], key: str | None, now: dt.datetime, lease: float | None,
                        person: User | None = None, progress: int = 0,
                        kinds: tuple[str, ...] | None = None) -> Claimed | None:
    """The answers to an event, in the event's own transaction. With a lease (this process delivers
    to the channel) the row is claimed at once when nothing earlier is waiting for the person, and
    returned: it goes out without a trip through the queue."""
    payload = {"replies": replies, "meta": meta}
    params: dict[str, Any] = {"user_id": user_id, "channel": channel, "payload": payload, "now": now,
                              "key": f"{REPLY}:{channel}:{key}" if key else f"{REPLY}:{uuid.uuid4().hex}",
                              "progress": progress}
    conn = await session.connection()
    if lease is None:
        await conn.execute(_reply_insert(False, False), params)
        return None
    if kinds is not None:
        params["kinds"] = list(kinds)
    params["until"] = now + dt.timedelta(seconds=lease)
    row = (await conn.execute(_reply_insert(True, kinds is not None), params)).one()
    row_id, state = int(row[0]), str(row[1])
    if state != "sending":
        return None
    if person is None:
        return Claimed(row_id, user_id, channel, REPLY, payload, 1, ANSWER, progress)
    return Claimed(row_id, user_id, channel, REPLY, payload, 1, ANSWER, progress, person.external_id, False,
                   person.send_after, person.last_written_at)


@functools.cache
def _claim_ids(postgres: bool, only_kinds: bool, one_person: bool, up_to: bool, some_people: bool = False) -> Any:
    now = bindparam("now", type_=T.c.due_at.type)
    due = and_(T.c.state == "pending", T.c.due_at <= now)
    expired = and_(T.c.state == "sending", T.c.claimed_until < now)
    conditions = [T.c.channel.in_(bindparam("channels", expanding=True)), or_(due, expired), ~_earlier_open(only_kinds)]
    if only_kinds:
        conditions.append(T.c.kind.in_(bindparam("kinds", expanding=True)))
    if one_person:
        conditions.append(T.c.user_id == bindparam("user_id"))
    if up_to:
        conditions.append(T.c.id <= bindparam("up_to"))
    if some_people:  # a sender that reaches only some people (a console: the person typing in it)
        people = select(U.c.id).where(U.c.channel == bindparam("only_channel"),
                                      U.c.external_id.in_(bindparam("only_ids", expanding=True)))
        conditions.append(or_(T.c.channel != bindparam("only_channel"), T.c.user_id.in_(people)))
    stmt = select(T.c.id).where(*conditions).order_by(T.c.priority, T.c.order_at, T.c.id).limit(bindparam("limit"))
    return stmt.with_for_update(skip_locked=True, of=T) if postgres else stmt


_TAKE = (update(T).where(T.c.id.in_(bindparam("ids", expanding=True)))
         .values(state="sending", claimed_until=bindparam("until", type_=T.c.claimed_until.type),
                 attempts=T.c.attempts + 1))
_TAKEN = (select(T.c.id, T.c.user_id, T.c.channel, T.c.kind, T.c.payload, T.c.attempts, T.c.priority, T.c.progress,
                 U.c.external_id, U.c.blocked_at, U.c.send_after, U.c.last_written_at)
          .join(U, U.c.id == T.c.user_id).where(T.c.id.in_(bindparam("ids", expanding=True)))
          .order_by(T.c.priority, T.c.order_at, T.c.id))


async def claim_in(session: AsyncSession, channels: list[str], limit: int, lease: float, now: dt.datetime, *,
                   kinds: tuple[str, ...] | None = None, user_id: int | None = None,
                   up_to: int | None = None, only: tuple[str, frozenset[str]] | None = None) -> list[Claimed]:
    """Claim due rows in the caller's transaction (`user_id`: that person's next; `up_to`: only rows
    queued by then; `only`: (channel, external ids) — of that channel, only these people's rows)."""
    conn = await session.connection()
    stmt = _claim_ids(conn.dialect.name == "postgresql", kinds is not None, user_id is not None, up_to is not None,
                      only is not None)
    params: dict[str, Any] = {"now": now, "channels": list(channels), "limit": limit}
    if only is not None:
        params["only_channel"], params["only_ids"] = only[0], sorted(only[1])
    for name, value in (("kinds", list(kinds) if kinds is not None else None), ("user_id", user_id), ("up_to", up_to)):
        if value is not None:
            params[name] = value
    ids: list[int] = list((await conn.execute(stmt, params)).scalars())
    if not ids:
        return []
    await conn.execute(_TAKE, {"ids": ids, "until": now + dt.timedelta(seconds=lease)})
    rows = await conn.execute(_TAKEN, {"ids": ids})
    return [Claimed(r.id, r.user_id, r.channel, r.kind, dict(r.payload or {}), r.attempts, r.priority, r.progress,
                    r.external_id, r.blocked_at is not None, r.send_after, r.last_written_at) for r in rows]


@functools.cache
def _claim_next(only_kinds: bool, up_to: bool) -> Any:
    now = bindparam("now", type_=T.c.due_at.type)
    earliest = select(T.c.id).where(T.c.user_id == bindparam("uid"), T.c.channel == bindparam("ch"), _is_open(T),
                                    T.c.order_at <= now)
    if only_kinds:
        earliest = earliest.where(T.c.kind.in_(bindparam("kinds", expanding=True)))
    first = earliest.order_by(T.c.order_at, T.c.id).limit(1).scalar_subquery()
    stmt = update(T).where(T.c.id == first, T.c.state == "pending", T.c.due_at <= now)
    if up_to:
        stmt = stmt.where(T.c.id <= bindparam("up_to"))
    return (stmt.values(state="sending", claimed_until=bindparam("until", type_=T.c.claimed_until.type),
                        attempts=T.c.attempts + 1)
            .returning(T.c.id, T.c.kind, T.c.payload, T.c.attempts, T.c.priority, T.c.progress))


async def claim_next_in(session: AsyncSession, after: Claimed, lease: float, now: dt.datetime, *,
                        kinds: tuple[str, ...] | None = None, up_to: int | None = None) -> Claimed | None:
    """The person's next row, if it is the first one waiting now (one statement, in the transaction
    that settled `after`)."""
    conn = await session.connection()
    params: dict[str, Any] = {"uid": after.user_id, "ch": after.channel, "now": now,
                              "until": now + dt.timedelta(seconds=lease)}
    if kinds is not None:
        params["kinds"] = list(kinds)
    if up_to is not None:
        params["up_to"] = up_to
    r = (await conn.execute(_claim_next(kinds is not None, up_to is not None), params)).first()
    if r is None:
        return None
    return Claimed(r.id, after.user_id, after.channel, r.kind, dict(r.payload or {}), r.attempts, r.priority, r.progress,
                   after.external_id, after.blocked, after.send_after, after.last_written_at)


async def claim(db: Database, channels: list[str], limit: int = 50, lease: float = 60.0,
                now: dt.datetime | None = None, *, kinds: tuple[str, ...] | None = None,
                only: tuple[str, frozenset[str]] | None = None) -> list[Claimed]:
    """Claim due rows: on PostgreSQL `FOR UPDATE SKIP LOCKED`, so processes never take the same row; on
    SQLite the claim runs in a `BEGIN IMMEDIATE` transaction, which serialises claimers."""
    async with db.sessions() as session, session.begin():
        return await claim_in(session, channels, limit, lease, now or utcnow(), kinds=kinds, only=only)


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


_MINE = and_(T.c.id == bindparam("row_id"), T.c.state == "sending", T.c.attempts == bindparam("fence"))
_RETRY = update(T).where(_MINE).values(
    state="pending", claimed_until=None, due_at=bindparam("due", type_=T.c.due_at.type), last_error=bindparam("error"),
    progress=bindparam("done"), billing=func.coalesce(bindparam("bill"), T.c.billing))
_FINISH = update(T).where(_MINE).values(
    state=bindparam("final"), claimed_until=None, last_error=bindparam("error"), progress=bindparam("done"),
    billing=func.coalesce(bindparam("bill"), T.c.billing), payload=bindparam("erased", type_=T.c.payload.type),
    sent_at=func.coalesce(bindparam("sent", type_=T.c.sent_at.type), T.c.sent_at))


async def settle_in(
    session: AsyncSession, row: Claimed, state: str, *, error: str | None = None, retry_in: float | None = None,
    billing: str | None = None, progress: int | None = None, now: dt.datetime | None = None,
) -> bool:
    """Record the outcome: sent, failed, cancelled; or back to pending for another try in `retry_in`
    seconds (resuming after `progress` parts). False if the claim is no longer ours."""
    now = now or utcnow()
    params: dict[str, Any] = {"row_id": row.id, "fence": row.attempts, "error": (error or None) and error[:300],
                              "done": row.progress if progress is None else progress, "bill": billing}
    conn = await session.connection()
    if retry_in is not None:
        result = await conn.execute(_RETRY, {**params, "due": now + dt.timedelta(seconds=retry_in)})
    else:
        result = await conn.execute(_FINISH, {**params, "final": state, "erased": {},
                                              "sent": now if state == "sent" else None})
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


__all__ = ["ANSWER", "NORMAL", "OPEN", "REPLY", "SCRUB", "Claimed", "about_forgotten", "cancel_keys", "cancel_pending_for", "claim", "claim_in",
           "enqueue", "enqueue_reply", "monthly_counts", "open_rows", "release", "renew", "settle",
           "settle_in"]
