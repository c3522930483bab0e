"""The core tables: people, their conversation state and roles, the inbox and the outbox.

Features keep their own tables beside their code (`bot/features/<name>/models.py`) on the same
`Base`. Personal data is kept to the minimum the bot needs to answer. Every table that holds
anything about a person references `users.id` with ON DELETE CASCADE, so /forget removes it all.
An id is never given out twice (AUTOINCREMENT on SQLite, sequences on PostgreSQL): a key derived
from a forgotten person's id can never come to mean somebody else.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from storage.types import UtcDateTime, utcnow

__all__ = ["Base", "Conversation", "DeliveryPace", "Inbox", "Meta", "Outbox", "Role", "StaffProfile", "User", "utcnow"]


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON, dt.datetime: UtcDateTime(), dt.date: Date}

    @classmethod
    def __table_cls__(cls, name: str, metadata: MetaData, *args: Any, **kw: Any) -> Table:
        # SQLite hands out the highest deleted id again unless a table says AUTOINCREMENT (every
        # table here does: ids end up in idempotency keys and keyed hashes).
        return Table(name, metadata, *args, sqlite_autoincrement=True, **kw)


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
    # When the next message to this chat may go out (Unix time; the per-chat budget shared by every
    # delivery process, bot/delivery/pacing.py).
    send_after: Mapped[float | None] = mapped_column(Float)


class Role(Base):
    """Staff and social-worker roles (granted by invite; see later issues)."""

    __tablename__ = "roles"
    __table_args__ = (UniqueConstraint("user_id", "role", "scope", name="uq_roles_user_role_scope"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    scope: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class StaffProfile(Base):
    """How someone with a role is named to colleagues and clients ("Олена Петрівна, ЦНСП").
    Only staff and social workers give a name; the bot never asks a citizen for theirs."""

    __tablename__ = "worker_profiles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(80))


class Conversation(Base):
    """Per-user dialog state, in the database so restarts and extra processes lose nothing."""

    __tablename__ = "conversations"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Outbox(Base):
    """Every message to a person — answers and proactive messages — written before it is sent
    (see bot/delivery/). A person's rows go out one at a time, in (order_at, id) order."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_state_due", "state", "due_at"),
                      Index("ix_outbox_user_open", "user_id", "state", "order_at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))  # indexed by ix_outbox_user_open
    channel: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(32))  # what to render: status_change, reminder, …
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    due_at: Mapped[dt.datetime] = mapped_column(default=utcnow)  # when it may be tried (next)
    # Its place in the person's line: when it first fell due (a retry moves due_at, not this).
    order_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    state: Mapped[str] = mapped_column(String(16), default="pending")  # pending|sending|sent|failed|cancelled
    # Claims so far; also the fencing token: only the holder of the latest claim may renew or settle it.
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_until: Mapped[dt.datetime | None]
    priority: Mapped[int] = mapped_column(SmallInteger, default=1, server_default="1")  # 0: an answer to a person
    progress: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # parts already delivered
    last_error: Mapped[str | None] = mapped_column(String(300))
    # Viber charges for messages sent outside a 24-hour session the person opened: "session" or "paid".
    billing: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[dt.datetime | None]


class Inbox(Base):
    """Every update taken from a platform (a Telegram update id, a Viber message token), recorded in
    the transaction that handled it: a repeat is recognised, even after a restart. Nothing else of
    the update is kept."""

    __tablename__ = "inbox"

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    event_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)  # old entries purged hourly (no index: one
    # fewer to keep up on every update)


class Meta(Base):
    """Facts about the database itself: its identity (made by `db init`), to notice a swapped database."""

    __tablename__ = "meta"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(String(128))


class DeliveryPace(Base):
    """The next free sending slot per channel, shared by every delivery process (rate limits)."""

    __tablename__ = "delivery_pace"

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    next_at: Mapped[float] = mapped_column(default=0.0)  # Unix time


