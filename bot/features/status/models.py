"""Applications as the CNAP's systems report them, their history, who follows them, API keys.

No names or addresses: a number, a status and a hashed verification secret are all the bot needs."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, utcnow


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


class LookupLimit(Base):
    """Guessing protection for status lookups: one counter per key (bot/features/status/limits.py).

    Keys are a number ("n:…"), a person ("p:…") or a person and a number ("pn:…"); people are keyed
    by an HMAC of their channel identity, so the row says nothing without the server's key and
    outlives /forget (it expires with its window)."""

    __tablename__ = "lookup_limits"

    key: Mapped[str] = mapped_column(String(96), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    since: Mapped[dt.datetime] = mapped_column(default=utcnow)  # the window's first failure
    last_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)  # the latest failure


class ApiToken(Base):
    """A CNAP system's key to the status API; only a hash is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[dt.datetime | None]
    last_used_at: Mapped[dt.datetime | None]
