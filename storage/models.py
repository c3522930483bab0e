"""Database tables. Personal data is kept to the minimum the bot needs to answer.

Every table that holds anything about a person references `users.id` with
ON DELETE CASCADE, so /forget removes it all with the user row.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Date, DateTime, ForeignKey, Integer, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON, dt.datetime: DateTime(timezone=True), dt.date: Date}


class User(Base):
    """A person on one channel. No names, phones or profile data are stored."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("channel", "external_id", name="uq_users_channel_external"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))
    lang: Mapped[str | None] = mapped_column(String(8))
    privacy_seen: Mapped[bool] = mapped_column(Boolean, default=False)
    blocked_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_written_at: Mapped[dt.datetime | None]  # last message/press by the person (Viber session billing)


class Role(Base):
    """Staff and social-worker roles (granted by invite; see later issues)."""

    __tablename__ = "roles"
    __table_args__ = (UniqueConstraint("user_id", "role", "scope", name="uq_roles_user_role_scope"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    scope: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Invite(Base):
    """A one-time invitation to a role, opened by a deep link (`/start inv_<token>`)."""

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(32))
    scope: Mapped[str] = mapped_column(String(64), default="")  # an office id for office staff
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None]
    used_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class Conversation(Base):
    """Per-user dialog state, in the database so restarts and extra processes lose nothing."""

    __tablename__ = "conversations"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Checklist(Base):
    """A person's progress through one service's document checklist."""

    __tablename__ = "checklists"
    __table_args__ = (UniqueConstraint("user_id", "service_id", name="uq_checklists_user_service"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    service_id: Mapped[str] = mapped_column(String(64))
    ticked: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    completed_at: Mapped[dt.datetime | None]


class SearchMiss(Base):
    """A query that found nothing good, kept WITHOUT who asked, so staff can improve the KB."""

    __tablename__ = "search_misses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    query: Mapped[str] = mapped_column(String(200))
    lang: Mapped[str] = mapped_column(String(8))
    best_id: Mapped[str | None] = mapped_column(String(64))
    best_score: Mapped[float | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)




# --- application status (fed by CNAP systems) ---------------------------------------------


class Application(Base):
    """An application as the CNAP's system knows it. No names or addresses: a number, a
    status and a hashed verification secret are all the bot needs."""

    __tablename__ = "applications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    number: Mapped[str] = mapped_column(String(64))  # as printed on the receipt
    number_norm: Mapped[str] = mapped_column(String(64), unique=True)  # for lookup
    service_id: Mapped[str | None] = mapped_column(String(64))
    office_id: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text, default="")
    expected_date: Mapped[dt.date | None]
    secret_hash: Mapped[str | None] = mapped_column(String(128))
    source: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ApplicationEvent(Base):
    """One entry of an application's status history."""

    __tablename__ = "application_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text, default="")
    expected_date: Mapped[dt.date | None]
    source: Mapped[str] = mapped_column(String(64), default="")
    changed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Subscription(Base):
    """A person follows an application and is told when its status changes."""

    __tablename__ = "subscriptions"
    __table_args__ = (UniqueConstraint("user_id", "application_id", name="uq_subscriptions_user_app"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    notify: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class LookupFailure(Base):
    """Failed status lookups, for rate limiting guesses (per person and per number)."""

    __tablename__ = "lookup_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(96), index=True)  # "user:<id>" or "number:<norm>"
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)


class ApiToken(Base):
    """A CNAP system's key to the status API; only a hash is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[dt.datetime | None]
    last_used_at: Mapped[dt.datetime | None]


# --- outbound delivery --------------------------------------------------------------------


class Outbox(Base):
    """Every proactive message, written before it is sent (see bot/delivery/)."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_state_due", "state", "due_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(32))  # what to render: status_change, reminder, …
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    due_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    state: Mapped[str] = mapped_column(String(16), default="pending")  # pending|sending|sent|failed|cancelled
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_until: Mapped[dt.datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(300))
    # Viber charges for messages sent outside a 24-hour session the person opened: "session" or "paid".
    billing: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[dt.datetime | None]


class DeliveryPace(Base):
    """The next free sending slot per channel, shared by every delivery process (rate limits)."""

    __tablename__ = "delivery_pace"

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    next_at: Mapped[float] = mapped_column(default=0.0)  # Unix time


# Feature tables live in their own modules; importing them here puts them in Base.metadata
# for Alembic and the tests. (At the end of the file: they import Base from this module.)
from storage import models_feedback, models_reminders, models_viber  # noqa: E402,F401
