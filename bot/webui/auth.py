"""Passwordless sign-in: one-time links from the bot, sessions bound to the person's current roles.

A link is valid for 10 minutes and works once. Using it opens a session (a random cookie token;
only its hash is stored) that ends after 30 idle minutes or 12 hours in all, on sign-out, or as
soon as the person no longer has any staff role: roles are read again on every request, so a
role revoked in the bot or the console takes effect on the very next click.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.webui.models import ConsoleSession, SignInAttempt, SignInLink, Upload
from storage.db import rowcount
from storage.hashing import keyed_hash, token_hash
from storage.models import Role, User, utcnow

LINK_TTL = dt.timedelta(minutes=10)
IDLE = dt.timedelta(minutes=30)
ABSOLUTE = dt.timedelta(hours=12)
ATTEMPTS = 10  # link uses per address …
ATTEMPT_WINDOW = dt.timedelta(minutes=10)  # … in this window
CONSOLE_ROLES = frozenset({"admin", "staff", "social_worker"})


@dataclass(frozen=True)
class Staff:
    """The signed-in person as of this request: their roles and, per role, the offices they cover."""

    user_id: int
    channel: str
    scopes: dict[str, frozenset[str]] = field(default_factory=dict)  # role -> offices ("" = every office)

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(self.scopes)

    def has(self, roles: frozenset[str] | set[str]) -> bool:
        return bool(self.roles & roles)

    def offices(self, roles: frozenset[str] | set[str] = frozenset({"staff", "admin"})) -> frozenset[str] | None:
        """Office ids this person covers in these roles; None means every office."""
        found: set[str] = set()
        for role in roles:
            scopes = self.scopes.get(role, frozenset())
            if "" in scopes:
                return None
            found |= scopes
        return frozenset(found)

    def covers(self, office_id: str, roles: frozenset[str] | set[str] = frozenset({"staff", "admin"})) -> bool:
        offices = self.offices(roles)
        return offices is None or office_id in offices

    def label(self) -> str:
        """"admin, staff@cnap-main": how the audit log shows the person's roles at the time."""
        return ", ".join(f"{r}@{s}" if s else r for r in sorted(self.scopes) for s in sorted(self.scopes[r]))


async def staff_of(session: AsyncSession, user_id: int) -> Staff | None:
    """The person's console roles now, or None if they have none (any more)."""
    user = await session.get(User, user_id)
    if user is None:
        return None
    rows = await session.execute(select(Role.role, Role.scope).where(Role.user_id == user_id, Role.role.in_(CONSOLE_ROLES)))
    scopes: dict[str, set[str]] = {}
    for role, scope in rows.all():
        scopes.setdefault(role, set()).add(scope or "")
    if not scopes:
        return None
    return Staff(user_id, user.channel, {r: frozenset(s) for r, s in scopes.items()})


# --- one-time links ---------------------------------------------------------------------------


async def create_link(session: AsyncSession, user_id: int) -> str:
    """A new one-time sign-in token for the person (10 minutes)."""
    token = secrets.token_urlsafe(24)
    now = utcnow()
    await session.execute(delete(SignInLink).where(SignInLink.expires_at < now - dt.timedelta(days=1)))
    session.add(SignInLink(token_hash=token_hash(token), user_id=user_id, created_at=now, expires_at=now + LINK_TTL))
    await session.flush()
    return token


async def too_many_attempts(session: AsyncSession, secret: bytes, address: str) -> bool:
    """Count this use of a link from `address`; True if it is over the limit (then nothing is tried)."""
    key = keyed_hash(secret, "signin", address)
    now = utcnow()
    await session.execute(delete(SignInAttempt).where(SignInAttempt.created_at < now - dt.timedelta(days=1)))
    recent = await session.execute(select(func.count()).select_from(SignInAttempt).where(
        SignInAttempt.key == key, SignInAttempt.created_at >= now - ATTEMPT_WINDOW))
    if int(recent.scalar_one()) >= ATTEMPTS:
        return True
    session.add(SignInAttempt(key=key, created_at=now))
    return False


async def redeem(session: AsyncSession, token: str) -> tuple[int | None, str]:
    """Use a link: (user id, "ok"), or (None, why not: "unknown", "used", "expired", "no_role")."""
    link = await session.get(SignInLink, token_hash(token), with_for_update=True)
    if link is None:
        return None, "unknown"
    if link.used_at is not None:
        return None, "used"
    now = utcnow()
    if link.expires_at <= now:
        return None, "expired"
    # Only the first of two simultaneous uses wins (the row is locked on PostgreSQL; SQLite serialises writers).
    used = await session.execute(update(SignInLink).where(SignInLink.token_hash == link.token_hash,
                                                         SignInLink.used_at.is_(None)).values(used_at=now))
    if not rowcount(used):
        return None, "used"
    if await staff_of(session, link.user_id) is None:
        return None, "no_role"
    return link.user_id, "ok"


# --- sessions ----------------------------------------------------------------------------------


async def open_session(session: AsyncSession, user_id: int, lang: str) -> str:
    token = secrets.token_urlsafe(32)
    now = utcnow()
    await session.execute(delete(ConsoleSession).where(ConsoleSession.expires_at < now))
    session.add(ConsoleSession(token_hash=token_hash(token), user_id=user_id, csrf=secrets.token_urlsafe(24), lang=lang,
                               created_at=now, last_seen_at=now, expires_at=now + ABSOLUTE))
    await session.flush()
    return token


async def current(session: AsyncSession, token: str) -> tuple[ConsoleSession | None, Staff | None]:
    """The session of this cookie if it is still valid, with the person's roles now; it is touched
    (idle timer restarted). A session that expired or whose person lost every role is deleted."""
    if not token:
        return None, None
    row = await session.get(ConsoleSession, token_hash(token))
    if row is None:
        return None, None
    now = utcnow()
    staff = await staff_of(session, row.user_id)
    if row.expires_at <= now or row.last_seen_at + IDLE <= now or staff is None:
        await session.delete(row)
        return None, None
    row.last_seen_at = now
    return row, staff


async def close_session(session: AsyncSession, token: str) -> None:
    await session.execute(delete(ConsoleSession).where(ConsoleSession.token_hash == token_hash(token)))


async def end_sessions_of(session: AsyncSession, user_id: int) -> int:
    """Sign the person out everywhere (their roles were revoked)."""
    return rowcount(await session.execute(delete(ConsoleSession).where(ConsoleSession.user_id == user_id)))


# --- uploads awaiting confirmation ------------------------------------------------------------


async def keep_upload(session: AsyncSession, session_hash: str, filename: str, data: bytes) -> int:
    await session.execute(delete(Upload).where(Upload.session_hash == session_hash))  # one pending file per session
    upload = Upload(session_hash=session_hash, filename=filename[:120], data=data)
    session.add(upload)
    await session.flush()
    return upload.id


async def take_upload(session: AsyncSession, session_hash: str, upload_id: int, *, remove: bool) -> Upload | None:
    upload = await session.get(Upload, upload_id)
    if upload is None or upload.session_hash != session_hash:
        return None
    if remove:
        await session.delete(upload)
    return upload


def signin_url(settings, token: str) -> str:
    """The link to send: PUBLIC_URL (behind the TLS proxy) or where `serve` listens."""
    base = (settings.public_url or f"http://{settings.serve_host}:{settings.serve_port}").rstrip("/")
    return f"{base}/console/signin?t={token}"
