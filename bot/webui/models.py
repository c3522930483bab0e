"""Tables of the staff web console: sessions, sign-in links, rate limiting, uploads, the audit log.

Every row about a person references `users.id`: sessions and sign-in links are deleted with the
person (/forget); the audit log keeps what was done and when, but forgets who (SET NULL), so a
forgotten staff member's actions stay on record without pointing at them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, utcnow


class ConsoleSession(Base):
    """A signed-in browser. The cookie holds a random token; only its hash is stored."""

    __tablename__ = "console_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))  # the token every form of this session carries
    lang: Mapped[str] = mapped_column(String(8), default="uk")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]  # absolute end, whatever the activity
    notice: Mapped[str | None] = mapped_column(String(300))  # "Saved." shown once on the next page


class SignInLink(Base):
    """A one-time sign-in link sent by the bot ("Staff console") or printed by the CLI."""

    __tablename__ = "console_signin_links"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None]


class SignInAttempt(Base):
    """A use of a sign-in link, for rate limiting: a keyed hash of the address, kept for a day."""

    __tablename__ = "console_signin_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)


class Upload(Base):
    """A file uploaded for a preview, kept until it is imported or the session ends."""

    __tablename__ = "console_uploads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_hash: Mapped[str] = mapped_column(ForeignKey("console_sessions.token_hash", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(120))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class AuditEntry(Base):
    """One staff action: who (until they are forgotten), when, what. Written only, never edited."""

    __tablename__ = "console_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    actor_roles: Mapped[str] = mapped_column(String(120), default="")  # "admin, staff@cnap-main" at the time
    action: Mapped[str] = mapped_column(String(40))  # sign_in, upload, token_created, role_revoked, …
    target: Mapped[str] = mapped_column(String(200), default="")  # what it was done to (no personal data)
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
