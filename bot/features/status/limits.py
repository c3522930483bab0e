"""Guessing protection for the status lookup: limits that hold under concurrency and never lock the owner out.

A code is compared only after three counters agree, and each wrong code bumps them:

* **the number**, whoever asks: the first NUMBER_FREE wrong codes are free; after that each check of the
  number waits a delay that doubles with every further wrong code (1, 2, 4, 8 minutes) up to
  NUMBER_MAX_DELAY. No hard lock: the owner waits at most NUMBER_MAX_DELAY, whatever others do. The
  counter starts again after a day without wrong codes, or when someone gives the right code.
* **a person and that number**: PAIR_FAILURES wrong codes in PAIR_WINDOW, then a pause.
* **a person over all numbers**: PERSON_FAILURES wrong codes in PERSON_WINDOW.

The number's row is locked (`SELECT … FOR UPDATE` on PostgreSQL; SQLite serialises writers) until the
event's transaction ends, so guesses arriving at once — from many chats and processes — are checked one
after another against the same counts. People are keyed by an HMAC (the server's key) of their channel
and chat id: stable, so /forget does not reset a limit, and meaningless without the key; the rows
expire with their windows. Worst case, see README ("Application status").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.status.models import LookupLimit
from storage.hashing import keyed_hash

NUMBER_FREE = 10  # more than one person may try (PAIR_FAILURES): nobody alone delays the owner
NUMBER_FIRST_DELAY = dt.timedelta(minutes=1)
NUMBER_MAX_DELAY = dt.timedelta(minutes=15)
NUMBER_QUIET = dt.timedelta(days=1)  # a number's count starts again after this long without a wrong code
PAIR_FAILURES, PAIR_WINDOW = 5, dt.timedelta(minutes=15)
PERSON_FAILURES, PERSON_WINDOW = 20, dt.timedelta(days=1)
KEEP = dt.timedelta(days=2)  # rows older than every window are deleted


@dataclass(frozen=True)
class Keys:
    number: str
    person: str
    pair: str


@dataclass(frozen=True)
class Verdict:
    wait: dt.timedelta = dt.timedelta(0)  # zero: the code may be checked now
    why: str = ""  # "person" (this person tried too often) or "number" (many wrong codes for the number)
    left: int = PAIR_FAILURES  # wrong codes this person may still try before a pause
    next_pause: dt.timedelta = PAIR_WINDOW  # how long the pause after the last of them would be

    @property
    def allowed(self) -> bool:
        return self.wait <= dt.timedelta(0)


def keys_for(secret: bytes, channel: str, external_id: str, number_norm: str) -> Keys:
    person = keyed_hash(secret, "status-lookup-person", channel, external_id)[:40]
    return Keys(number=f"n:{number_norm}"[:96], person=f"p:{person}",
                pair="pn:" + keyed_hash(secret, "status-lookup-pair", person, number_norm)[:40])


def number_delay(failures: int) -> dt.timedelta:
    if failures < NUMBER_FREE:
        return dt.timedelta(0)
    return min(NUMBER_FIRST_DELAY * 2 ** (failures - NUMBER_FREE), NUMBER_MAX_DELAY)


def _live(row: LookupLimit | None, kind: str, now: dt.datetime) -> int:
    """The row's count of wrong codes that still matters now."""
    if row is None:
        return 0
    if kind == "number":
        return row.failures if now - row.last_at < NUMBER_QUIET else 0
    window = PAIR_WINDOW if kind == "pair" else PERSON_WINDOW
    return row.failures if now - row.since < window else 0


async def _ensure(session: AsyncSession, key: str, now: dt.datetime) -> None:
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    await session.execute(insert(LookupLimit).values(key=key, failures=0, since=now, last_at=now)
                          .on_conflict_do_nothing(index_elements=["key"]))


async def _rows(session: AsyncSession, keys: Keys, now: dt.datetime) -> dict[str, LookupLimit]:
    # The number's row first, locked: every check of this number waits here for the one before it.
    await _ensure(session, keys.number, now)
    number = (await session.execute(
        select(LookupLimit).where(LookupLimit.key == keys.number).with_for_update()
        .execution_options(populate_existing=True))).scalar_one()
    people = (await session.execute(select(LookupLimit).where(LookupLimit.key.in_((keys.person, keys.pair)))
                                    .execution_options(populate_existing=True))).scalars()
    return {"number": number, **{("pair" if r.key == keys.pair else "person"): r for r in people}}


def _verdict(rows: dict[str, LookupLimit], now: dt.datetime) -> Verdict:
    pair, person, number = (_live(rows.get(k), k, now) for k in ("pair", "person", "number"))
    left = min(PAIR_FAILURES - pair, PERSON_FAILURES - person)
    next_pause = PAIR_WINDOW
    if PERSON_FAILURES - person < PAIR_FAILURES - pair:
        next_pause = rows["person"].since + PERSON_WINDOW - now if person else PERSON_WINDOW
    waits = []
    if pair >= PAIR_FAILURES:
        waits.append((rows["pair"].since + PAIR_WINDOW - now, "person"))
    if person >= PERSON_FAILURES:
        waits.append((rows["person"].since + PERSON_WINDOW - now, "person"))
    if number >= NUMBER_FREE:
        waits.append((rows["number"].last_at + number_delay(number) - now, "number"))
    wait, why = max(waits, default=(dt.timedelta(0), ""), key=lambda w: w[0])
    return Verdict(wait=max(wait, dt.timedelta(0)), why=why if wait > dt.timedelta(0) else "", left=max(left, 0),
                   next_pause=next_pause)


async def before_attempt(session: AsyncSession, keys: Keys, now: dt.datetime) -> Verdict:
    """May a code for this number be checked now, for this person? (Locks the number until the event ends.)"""
    return _verdict(await _rows(session, keys, now), now)


async def failed(session: AsyncSession, keys: Keys, now: dt.datetime) -> Verdict:
    """Count a wrong code; the verdict says how many are left and whether a pause starts now."""
    rows = await _rows(session, keys, now)
    for kind, key in (("number", keys.number), ("person", keys.person), ("pair", keys.pair)):
        row = rows.get(kind)
        if row is None:
            row = rows[kind] = LookupLimit(key=key, failures=0, since=now, last_at=now)
            session.add(row)
        if not _live(row, kind, now):
            row.failures, row.since = 0, now
        row.failures += 1
        row.last_at = now
    await session.execute(delete(LookupLimit).where(LookupLimit.last_at < now - KEEP))
    await session.flush()
    return _verdict(rows, now)


async def succeeded(session: AsyncSession, keys: Keys) -> None:
    """The right code: the number and this person's tries at it start afresh (the day's total stays)."""
    await session.execute(delete(LookupLimit).where(LookupLimit.key.in_((keys.number, keys.pair))))
