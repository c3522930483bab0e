"""Application-status store: numbers, statuses with history, secrets, subscriptions, API tokens.

Fed by CNAP systems (file import, HTTP API); read by the status-lookup flow. Every
status change is recorded as an event and, in the same transaction, queued in the
outbox for the people who follow the application, so a change is announced once.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery import outbox
from bot.features.status.models import ApiToken, Application, ApplicationEvent, Subscription
from storage.hashing import keyed_hash, same, token_hash
from storage.models import User, utcnow

STATUS_CHANGE = "status_change"  # the outbox kind of "your application's status changed"

STATUSES = ("received", "in_progress", "needs_documents", "ready", "issued", "refused")
FINAL = ("issued", "refused")  # a closed application: moving it to another status needs an explicit override

# Letters that look alike in Cyrillic and Latin, and the Latin letters people type for the CNAP's
# Cyrillic prefix ("CN" for «ЦН»): receipts and people mix them freely.
_LOOKALIKE = str.maketrans("АВЕКМНОРСТХІУЗЦN", "ABEKMHOPCTXIY3CH")
_PHONE = re.compile(r"^\+?[\d\s().\-]+$")
_SEPARATORS = re.compile(r"[\s\-‐‑–—_/\\.,:;#№'\"`’ʼ]+")


def normalize_number(raw: str) -> str:
    """'ЦН-01/2345 а' → 'CH012345A'-style key: case, separators and look-alike letters ignored."""
    text = _SEPARATORS.sub("", (raw or "").upper()).translate(_LOOKALIKE)
    return text[:64]


def number_to_payload(number: str) -> str:
    """Deep-link payload for a receipt's QR code: `app_` + base64url of the number
    (Telegram payloads allow only A-Z a-z 0-9 _ -, and numbers often hold Cyrillic)."""
    return "app_" + base64.urlsafe_b64encode(number.strip().encode()).decode().rstrip("=")


def number_from_payload(encoded: str) -> str | None:
    try:
        raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        number = raw.decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
    return number if normalize_number(number) and len(number) <= 64 else None


def normalize_secret(raw: str) -> str:
    return re.sub(r"\s+", "", raw or "").upper()


def phone_digits(typed: str) -> str | None:
    """What a person types for "the last 4 digits of your phone": the 4 digits, or the whole number
    (+380501112233, 050 111-22-33), of which the last 4 count. None if it is neither."""
    text = typed.strip()
    if not _PHONE.match(text):
        return None
    digits = re.sub(r"\D", "", text)
    if len(digits) == 4:
        return digits
    return digits[-4:] if 9 <= len(digits) <= 13 else None


def hash_secret(secret: str, key: bytes) -> str:
    salt = secrets.token_hex(8)
    return f"hmac-sha256${salt}${keyed_hash(key, f'{salt}:{normalize_secret(secret)}')}"


def verify_secret(secret: str, stored: str | None, key: bytes) -> bool:
    """Constant-time check. Keyed with the server's secret key, so a leaked database alone
    does not let anyone try the 10,000 possible 4-digit codes offline."""
    if not stored:
        return False
    try:
        scheme, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "hmac-sha256":
        return False
    return same(keyed_hash(key, f"{salt}:{normalize_secret(secret)}"), digest)


class BackwardMove(ValueError):
    """An update would move a closed (issued or refused) application to another status."""

    def __init__(self, number: str, current: str, new: str):
        super().__init__(f"{number} is already {current!r} (closed); the update says {new!r}. "
                         "Moving a closed application back needs --allow-backward (API: \"allow_backward\": true)")
        self.current, self.new = current, new


@dataclass
class Change:
    """What an upsert did: 'added', 'changed' or 'unchanged'."""

    result: str
    application: Application
    event: ApplicationEvent | None
    notified: int = 0


@dataclass
class ApplicationUpdate:
    number: str
    status: str
    note: str = ""
    expected_date: dt.date | None = None
    service_id: str | None = None
    office_id: str | None = None
    secret: str | None = None


async def find(session: AsyncSession, number: str) -> Application | None:
    norm = normalize_number(number)
    if not norm:
        return None
    return (await session.execute(select(Application).where(Application.number_norm == norm))).scalar_one_or_none()


async def upsert(session: AsyncSession, upd: ApplicationUpdate, source: str, key: bytes,
                 allow_backward: bool = False) -> Change:
    """Create or update one application. Sending the same update twice changes nothing; an older
    file or a late message cannot reopen a closed application unless `allow_backward` (BackwardMove)."""
    if upd.status not in STATUSES:
        raise ValueError(f"unknown status {upd.status!r}")
    norm = normalize_number(upd.number)
    if not norm:
        raise ValueError("empty application number")
    app = await find(session, upd.number)
    now = utcnow()
    if app is None:
        app = Application(
            number=upd.number.strip()[:64], number_norm=norm, status=upd.status, note=upd.note,
            expected_date=upd.expected_date, service_id=upd.service_id, office_id=upd.office_id,
            secret_hash=hash_secret(upd.secret, key) if upd.secret else None, source=source,
            created_at=now, updated_at=now,
        )
        session.add(app)
        await session.flush()
        event = ApplicationEvent(application_id=app.id, status=upd.status, note=upd.note,
                                 expected_date=upd.expected_date, source=source, changed_at=now)
        session.add(event)
        await session.flush()
        return Change("added", app, event)

    if app.status in FINAL and upd.status != app.status and not allow_backward:
        raise BackwardMove(app.number, app.status, upd.status)
    if upd.secret and not verify_secret(upd.secret, app.secret_hash, key):
        app.secret_hash = hash_secret(upd.secret, key)
    for attr in ("service_id", "office_id"):
        value = getattr(upd, attr)
        if value is not None and value != getattr(app, attr):
            setattr(app, attr, value)
    if (app.status, app.note, app.expected_date) == (upd.status, upd.note, upd.expected_date):
        return Change("unchanged", app, None)
    app.status, app.note, app.expected_date, app.updated_at, app.source = (
        upd.status, upd.note, upd.expected_date, now, source
    )
    event = ApplicationEvent(application_id=app.id, status=upd.status, note=upd.note,
                             expected_date=upd.expected_date, source=source, changed_at=now)
    session.add(event)
    await session.flush()
    notified = await _queue_notifications(session, app, event)
    return Change("changed", app, event, notified)


async def _queue_notifications(session: AsyncSession, app: Application, event: ApplicationEvent) -> int:
    rows = await session.execute(
        select(Subscription.user_id, User.channel)
        .join(User, User.id == Subscription.user_id)
        .where(Subscription.application_id == app.id, Subscription.notify.is_(True), User.blocked_at.is_(None))
    )
    count = 0
    for user_id, channel in rows.all():
        # One message per change per person, however often the change is re-sent.
        count += await outbox.enqueue(session, user_id=user_id, channel=channel, kind=STATUS_CHANGE,
                                      payload={"application_id": app.id, "event_id": event.id},
                                      key=f"status:{event.id}:{user_id}")
    return count


async def history(session: AsyncSession, app_id: int) -> list[ApplicationEvent]:
    stmt = select(ApplicationEvent).where(ApplicationEvent.application_id == app_id).order_by(
        ApplicationEvent.changed_at, ApplicationEvent.id
    )
    return list((await session.execute(stmt)).scalars())


# --- subscriptions -----------------------------------------------------------------------------


async def subscription(session: AsyncSession, user_id: int, app_id: int) -> Subscription | None:
    stmt = select(Subscription).where(Subscription.user_id == user_id, Subscription.application_id == app_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def follow(session: AsyncSession, user_id: int, app_id: int, notify: bool) -> Subscription:
    sub = await subscription(session, user_id, app_id)
    if sub is None:
        sub = Subscription(user_id=user_id, application_id=app_id, notify=notify)
        session.add(sub)
    else:
        sub.notify = notify
    await session.flush()
    return sub


async def unfollow(session: AsyncSession, user_id: int, app_id: int) -> None:
    await session.execute(delete(Subscription).where(Subscription.user_id == user_id, Subscription.application_id == app_id))


async def followed(session: AsyncSession, user_id: int) -> list[tuple[Subscription, Application]]:
    stmt = (
        select(Subscription, Application)
        .join(Application, Application.id == Subscription.application_id)
        .where(Subscription.user_id == user_id)
        .order_by(Application.updated_at.desc())
    )
    return [(s, a) for s, a in (await session.execute(stmt)).all()]


# --- API tokens -------------------------------------------------------------------------------


async def create_token(session: AsyncSession, name: str) -> str:
    token = "hb_" + secrets.token_urlsafe(32)
    session.add(ApiToken(name=name, token_hash=token_hash(token)))
    await session.flush()
    return token


async def revoke_token(session: AsyncSession, name: str) -> bool:
    tok = (await session.execute(select(ApiToken).where(ApiToken.name == name, ApiToken.revoked_at.is_(None)))).scalar_one_or_none()
    if tok is None:
        return False
    tok.revoked_at = utcnow()
    return True


async def list_tokens(session: AsyncSession) -> list[ApiToken]:
    return list((await session.execute(select(ApiToken).order_by(ApiToken.created_at))).scalars())


async def find_token(session: AsyncSession, token: str) -> ApiToken | None:
    """The valid (unrevoked) token, read only."""
    tok = (await session.execute(select(ApiToken).where(ApiToken.token_hash == token_hash(token)))).scalar_one_or_none()
    return None if tok is None or tok.revoked_at is not None else tok


async def check_token(session: AsyncSession, token: str) -> ApiToken | None:
    tok = await find_token(session, token)
    if tok is not None:
        tok.last_used_at = utcnow()
    return tok
