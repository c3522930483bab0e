"""Tables for social workers' clients and reminders.

A worker links a client only with the client's explicit consent (the client opens
a personal invitation and agrees). A reminder is a series (text, local time,
repetition); each delivery of it is an occurrence with its own state, which is
what the worker sees: scheduled, sent, confirmed, failed (and why).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, utcnow


class ClientLink(Base):
    __tablename__ = "client_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    alias: Mapped[str] = mapped_column(String(40))  # the worker's short label; only the worker sees it
    # The open invitation: its token is derived from the server's key and this random salt (so the same
    # link can be shown again, and a copy of the database alone cannot open it); the hash finds it.
    invite_salt: Mapped[str | None] = mapped_column(String(32))
    invite_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    state: Mapped[str] = mapped_column(String(16), default="invited")  # invited | active | stopped
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    consented_at: Mapped[dt.datetime | None]
    stopped_at: Mapped[dt.datetime | None]


class OldInvite(Base):
    """An invitation link that no longer opens anything (replaced by a new one, or used), so that
    someone who opens it is told what happened and whom to ask, instead of "out of date"."""

    __tablename__ = "client_old_invites"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("client_links.id", ondelete="CASCADE"), index=True)
    why: Mapped[str] = mapped_column(String(16))  # replaced | used
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Reminder(Base):
    """A reminder series, in the community's local time."""

    __tablename__ = "reminders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("client_links.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    details: Mapped[str | None] = mapped_column(Text)  # where to come, what to bring (optional)
    start_date: Mapped[dt.date] = mapped_column(Date)
    local_time: Mapped[str] = mapped_column(String(5))  # "HH:MM"
    repeat: Mapped[str] = mapped_column(String(16), default="none")  # none | daily | weekly | monthly | before
    days_before: Mapped[int] = mapped_column(Integer, default=0)  # for "before": remind N days ahead and on the day
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)  # may be sent in quiet hours
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Occurrence(Base):
    """One delivery of a reminder."""

    __tablename__ = "reminder_occurrences"
    __table_args__ = (UniqueConstraint("reminder_id", "planned_for", "kind", name="uq_occurrence_slot"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    reminder_id: Mapped[int] = mapped_column(ForeignKey("reminders.id", ondelete="CASCADE"), index=True)
    planned_for: Mapped[dt.datetime]  # the local moment asked for (as UTC), before quiet-hour shifts
    kind: Mapped[str] = mapped_column(String(12), default="regular")  # regular | snooze
    due_at: Mapped[dt.datetime]
    # The moment the reminder is about (the appointment, the deadline): what the client is told.
    event_at: Mapped[dt.datetime | None]
    state: Mapped[str] = mapped_column(String(16), default="scheduled")  # scheduled|sent|confirmed|failed|cancelled
    reason: Mapped[str | None] = mapped_column(String(200))
    sent_at: Mapped[dt.datetime | None]
    confirmed_at: Mapped[dt.datetime | None]
