"""Clients and reminders: consent, scheduling into the outbox, confirmation, stopping."""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery import outbox
from bot.features.reminders.models import ClientLink, Occurrence, OldInvite, Reminder
from bot.features.reminders.timing import Policy, next_planned, to_utc
from storage import people
from storage.hashing import keyed_hash
from storage.hashing import token_hash as _hash
from storage.models import User, utcnow

SNOOZE = dt.timedelta(hours=1)


# --- workers and clients ----------------------------------------------------------------------


async def worker_name(session: AsyncSession, worker_id: int) -> str | None:
    return (await people.display_names(session, [worker_id])).get(worker_id)


def invitation_token(key: bytes, link: ClientLink) -> str | None:
    """The open invitation's token: derived from the server's key and the link's salt, so the same
    link can be shown again while the database holds neither the token nor anything that opens it."""
    if link.state != "invited" or not link.invite_salt:
        return None
    return keyed_hash(key, "client-invite", link.id, link.invite_salt)[:32]


def opens(link: ClientLink, token: str) -> bool:
    """Whether the token is the one the link's invitation was issued with (it is, unless the key changed)."""
    return link.invite_hash is not None and _hash(token) == link.invite_hash


async def _issue(session: AsyncSession, link: ClientLink, key: bytes) -> str:
    link.invite_salt = secrets.token_hex(8)
    token = invitation_token(key, link)
    assert token is not None
    link.invite_hash = _hash(token)
    await session.flush()
    return token


async def _retire(session: AsyncSession, link: ClientLink, why: str) -> None:
    """The current link stops opening anything; whoever opens it later is told why and whom to ask."""
    if link.invite_hash:
        session.add(OldInvite(token_hash=link.invite_hash, link_id=link.id, why=why))
    link.invite_hash, link.invite_salt = None, None
    await session.flush()


async def invite_client(session: AsyncSession, worker_id: int, alias: str, key: bytes) -> tuple[ClientLink, str]:
    link = ClientLink(worker_id=worker_id, alias=alias, state="invited")
    session.add(link)
    await session.flush()
    return link, await _issue(session, link, key)


async def new_invitation(session: AsyncSession, link: ClientLink, key: bytes) -> str:
    """A new link on purpose ("the client lost it", or again after they stopped reminders): the old one
    is retired; the client agrees again before anything is sent."""
    await _retire(session, link, "replaced")
    link.state = "invited"
    return await _issue(session, link, key)


async def open_client_invite(session: AsyncSession, token: str) -> ClientLink | None:
    link = (await session.execute(select(ClientLink).where(ClientLink.invite_hash == _hash(token)))).scalar_one_or_none()
    return link if link is not None and link.state == "invited" else None


async def old_invite(session: AsyncSession, token: str) -> tuple[OldInvite, ClientLink] | None:
    """A retired invitation link and its client link, to explain what happened to it."""
    row = (await session.execute(select(OldInvite, ClientLink).join(ClientLink, ClientLink.id == OldInvite.link_id)
                                 .where(OldInvite.token_hash == _hash(token)))).first()
    return (row[0], row[1]) if row else None


async def consent(session: AsyncSession, link: ClientLink, client_id: int, now: dt.datetime | None = None) -> None:
    """The client agreed: from now on (and only now) reminders may be sent to them."""
    now = now or utcnow()
    await _retire(session, link, "used")
    link.client_id, link.state, link.consented_at, link.stopped_at = client_id, "active", now, None
    await session.flush()
    await _tell_worker(session, link, "client_joined", now=now)


async def worker_clients(session: AsyncSession, worker_id: int) -> list[ClientLink]:
    stmt = select(ClientLink).where(ClientLink.worker_id == worker_id).order_by(ClientLink.state, ClientLink.alias)
    return list((await session.execute(stmt)).scalars())


async def client_links(session: AsyncSession, client_id: int) -> list[ClientLink]:
    stmt = select(ClientLink).where(ClientLink.client_id == client_id, ClientLink.state == "active")
    return list((await session.execute(stmt)).scalars())


async def stop(session: AsyncSession, link: ClientLink, reason: str, tell: str | None = "client_stopped",
               now: dt.datetime | None = None) -> int:
    """No more reminders on this link: cancel what is scheduled and (usually) tell the worker."""
    now = now or utcnow()
    link.state, link.stopped_at = "stopped", now
    cancelled = await _cancel_scheduled(session, link.id, reason)
    await session.flush()
    if tell:
        await _tell_worker(session, link, tell, now=now)
    return cancelled


async def _cancel_scheduled(session: AsyncSession, link_id: int, reason: str, reminder_id: int | None = None) -> int:
    stmt = select(Occurrence.id).join(Reminder, Reminder.id == Occurrence.reminder_id).where(
        Reminder.link_id == link_id, Occurrence.state == "scheduled"
    )
    if reminder_id is not None:
        stmt = stmt.where(Reminder.id == reminder_id)
    ids = list((await session.execute(stmt)).scalars())
    if not ids:
        return 0
    await session.execute(update(Occurrence).where(Occurrence.id.in_(ids)).values(state="cancelled", reason=reason[:200]))
    await outbox.cancel_keys(session, [f"rem:{i}" for i in ids], reason)
    return len(ids)


async def tell_worker_client_left(session: AsyncSession, link: ClientLink) -> None:
    """The link is about to be deleted with the client's data: the note carries the worker's own label."""
    await _tell_worker(session, link, "client_left", {"alias": link.alias}, key=f"client_left:{link.id}")


async def _tell_worker(session: AsyncSession, link: ClientLink, kind: str, extra: dict | None = None, key: str = "",
                       now: dt.datetime | None = None) -> None:
    worker = await session.get(User, link.worker_id)
    if worker is None or worker.blocked_at is not None:
        return
    now = now or utcnow()
    await outbox.enqueue(
        session, user_id=worker.id, channel=worker.channel, kind=kind,
        payload={"link_id": link.id, **(extra or {})},
        key=key or f"{kind}:{link.id}:{now.timestamp():.0f}", now=now,
    )


# --- reminders ---------------------------------------------------------------------------------


async def same_reminder(session: AsyncSession, link: ClientLink, *, text: str, start_date: dt.date, local_time: str,
                       repeat: str, days_before: int) -> Reminder | None:
    """An active reminder of this client with the same text, time and repetition (an import run twice)."""
    stmt = select(Reminder).where(
        Reminder.link_id == link.id, Reminder.active.is_(True), Reminder.text == text, Reminder.start_date == start_date,
        Reminder.local_time == local_time, Reminder.repeat == repeat, Reminder.days_before == days_before,
    )
    return (await session.execute(stmt.limit(1))).scalar_one_or_none()


async def create_reminder(
    session: AsyncSession, link: ClientLink, *, text: str, start_date: dt.date, local_time: str, repeat: str = "none",
    days_before: int = 0, urgent: bool = False, policy: Policy, now: dt.datetime | None = None, details: str | None = None,
) -> tuple[Reminder, Occurrence | None]:
    reminder = Reminder(link_id=link.id, text=text, start_date=start_date, local_time=local_time, repeat=repeat,
                        days_before=days_before, urgent=urgent, details=details or None)
    session.add(reminder)
    await session.flush()
    occ = await schedule_next(session, reminder, policy, after=now or utcnow())
    return reminder, occ


async def schedule_next(session: AsyncSession, reminder: Reminder, policy: Policy, after: dt.datetime) -> Occurrence | None:
    """Plan the reminder's next occurrence after `after` and put it in the outbox."""
    link = await session.get(ClientLink, reminder.link_id)
    if link is None or link.state != "active" or not reminder.active:
        return None
    hh, mm = (int(x) for x in reminder.local_time.split(":"))
    planned = next_planned(reminder.start_date, dt.time(hh, mm), reminder.repeat, reminder.days_before, policy.tz, after)
    if planned is None:
        return None
    # What the reminder is about: the date itself for "N days before", else the moment it fires.
    event = to_utc(reminder.start_date, dt.time(hh, mm), policy.tz) if reminder.repeat == "before" else planned
    return await _add_occurrence(session, reminder, link, planned, policy.due(planned, reminder.urgent), "regular", event)


async def _add_occurrence(session, reminder: Reminder, link: ClientLink, planned: dt.datetime, due: dt.datetime,
                          kind: str, event: dt.datetime | None) -> Occurrence | None:
    existing = (await session.execute(select(Occurrence).where(
        Occurrence.reminder_id == reminder.id, Occurrence.planned_for == planned, Occurrence.kind == kind))).scalar_one_or_none()
    if existing is not None:  # already planned (a retry of the same step): never twice
        return existing
    client = await session.get(User, link.client_id)
    if client is None:
        return None
    occ = Occurrence(reminder_id=reminder.id, planned_for=planned, kind=kind, due_at=due, state="scheduled",
                     event_at=event)
    session.add(occ)
    await session.flush()
    await outbox.enqueue(session, user_id=client.id, channel=client.channel, kind="reminder",
                         payload={"occurrence_id": occ.id}, key=f"rem:{occ.id}", due_at=due)
    return occ


async def cancel_reminder(session: AsyncSession, reminder: Reminder) -> int:
    reminder.active = False
    return await _cancel_scheduled(session, reminder.link_id, "cancelled by the social worker", reminder.id)


async def reschedule(session: AsyncSession, reminder: Reminder, *, start_date: dt.date, local_time: str, policy: Policy,
                     now: dt.datetime | None = None) -> Occurrence | None:
    """Edit the date/time: the scheduled occurrence is cancelled and a new one planned."""
    await _cancel_scheduled(session, reminder.link_id, "rescheduled by the social worker", reminder.id)
    reminder.start_date, reminder.local_time = start_date, local_time
    await session.flush()
    return await schedule_next(session, reminder, policy, after=now or utcnow())


async def upcoming(session: AsyncSession, link_id: int, limit: int = 10) -> list[tuple[Reminder, Occurrence]]:
    stmt = (
        select(Reminder, Occurrence)
        .join(Occurrence, Occurrence.reminder_id == Reminder.id)
        .where(Reminder.link_id == link_id)
        .order_by(Occurrence.due_at.desc())
        .limit(limit)
    )
    return [(r, o) for r, o in (await session.execute(stmt)).all()]


async def client_occurrence(session: AsyncSession, occ_id: int, client_id: int):
    """(occurrence, reminder, link) if it was sent to this client, else (None, None, None)."""
    row = (await session.execute(
        select(Occurrence, Reminder, ClientLink)
        .join(Reminder, Reminder.id == Occurrence.reminder_id)
        .join(ClientLink, ClientLink.id == Reminder.link_id)
        .where(Occurrence.id == occ_id, ClientLink.client_id == client_id)
    )).first()
    return tuple(row) if row else (None, None, None)


async def confirm(session: AsyncSession, occ: Occurrence, now: dt.datetime | None = None) -> None:
    if occ.state in ("sent", "scheduled"):
        occ.state, occ.confirmed_at = "confirmed", now or utcnow()
        await session.flush()


async def snooze(session: AsyncSession, occ: Occurrence, reminder: Reminder, link: ClientLink, policy: Policy,
                 now: dt.datetime | None = None) -> Occurrence | None:
    """"Remind me in an hour": one more delivery, an hour from now (quiet hours still apply)."""
    base = (now or utcnow()).replace(second=0, microsecond=0)
    planned = base + SNOOZE
    return await _add_occurrence(session, reminder, link, planned, policy.due(planned, reminder.urgent), "snooze",
                                 occ.event_at)


# --- the person can no longer be reached, or is forgotten ----------------------------------------------


async def on_unreachable(session: AsyncSession, services, user_id: int, reason: str) -> None:
    """A client who blocked the bot: every link stops (scheduled reminders cancelled), each worker is told."""
    now = services.clock.now()
    for link in await client_links(session, user_id):
        await stop(session, link, reason, tell="client_blocked", now=now)


async def on_forget(session: AsyncSession, services, user_id: int) -> None:
    """A client who deletes their data leaves their workers' lists; the workers are told so."""
    for link in await client_links(session, user_id):
        await tell_worker_client_left(session, link)
