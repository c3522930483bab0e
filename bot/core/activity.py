"""Anonymous activity counts: what the community's figures are made of.

A flow counts what happened — `ctx.count("search", "found")`, `ctx.count("service", svc.id)` —
as a day, a metric and a key (a service id, an office id, a masked query), never who: no person
id and no time of day are kept. A count is an INSERT of a small row, so concurrent events never
queue for one hot counter row; `rollup()` folds the rows of past days into one row per
(day, metric, key) and deletes them in the same statement (DELETE … RETURNING: exactly what is
deleted is counted, even with several processes rolling up at once). Readers add both tables.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import Date, Index, Integer, String, delete, func, select, union_all
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base

MAX_KEY = 120
_EMAIL = re.compile(r"\S+@\S+")
_LONG_NUMBER = re.compile(r"\+?\d[\d\s()-]{4,}\d")


class ActivityEvent(Base):
    """One counted event of a day that is not folded into `activity_daily` yet."""

    __tablename__ = "activity_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    day: Mapped[dt.date] = mapped_column(Date, index=True)  # the community's local date
    metric: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(MAX_KEY), default="")


class ActivityDaily(Base):
    """How many times `metric` happened with `key` on `day` (past days, folded)."""

    __tablename__ = "activity_daily"
    __table_args__ = (Index("ix_activity_daily_metric_day", "metric", "day", "key", "n"),)

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    metric: Mapped[str] = mapped_column(String(32), primary_key=True)
    key: Mapped[str] = mapped_column(String(MAX_KEY), primary_key=True, default="")
    n: Mapped[int] = mapped_column(Integer, default=0)


def mask_personal(text: str) -> str:
    """People type phone numbers, e-mails and document numbers anywhere: keep the words, not those."""
    return _LONG_NUMBER.sub("•••", _EMAIL.sub("•••@•••", text))


def query_key(text: str) -> str:
    """A key as it is counted (e.g. an unanswered query): masked, lower-case, single spaces, at most MAX_KEY characters."""
    return " ".join(mask_personal(text).lower().split()).strip(" .,!?;:")[:MAX_KEY]


def record(session: AsyncSession, day: dt.date, metric: str, key: str = "") -> None:
    """Count one event (added to the caller's transaction: it is counted only if that commits).
    Keys are ids or what a person typed: always masked (`query_key`), so free text is safe here."""
    session.add(ActivityEvent(day=day, metric=metric[:32], key=query_key(key)))


async def rollup(session: AsyncSession, before: dt.date) -> int:
    """Fold the events of days before `before` into `activity_daily`; returns how many were folded."""
    deleted = await session.execute(
        delete(ActivityEvent).where(ActivityEvent.day < before)
        .returning(ActivityEvent.day, ActivityEvent.metric, ActivityEvent.key)
    )
    counts = Counter((day, metric, key) for day, metric, key in deleted.all())
    if not counts:
        return 0
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    rows = [{"day": d, "metric": m, "key": k, "n": n} for (d, m, k), n in counts.items()]
    for start in range(0, len(rows), 2000):
        stmt = insert(ActivityDaily).values(rows[start:start + 2000])
        stmt = stmt.on_conflict_do_update(index_elements=["day", "metric", "key"],
                                          set_={"n": ActivityDaily.n + stmt.excluded.n})
        await session.execute(stmt)
    return sum(counts.values())


def _both(metrics: Iterable[str], since: dt.date, until: dt.date):
    """(day, metric, key, n) from the folded table and the events not folded yet, in the period."""
    metrics = list(metrics)
    daily = select(ActivityDaily.day, ActivityDaily.metric, ActivityDaily.key, ActivityDaily.n).where(
        ActivityDaily.metric.in_(metrics), ActivityDaily.day >= since, ActivityDaily.day <= until)
    raw = select(ActivityEvent.day, ActivityEvent.metric, ActivityEvent.key, func.count().label("n")).where(
        ActivityEvent.metric.in_(metrics), ActivityEvent.day >= since, ActivityEvent.day <= until,
    ).group_by(ActivityEvent.day, ActivityEvent.metric, ActivityEvent.key)
    return union_all(daily, raw).subquery()


async def by_day(session: AsyncSession, metrics: Iterable[str], since: dt.date, until: dt.date, *, keyed: bool = True,
                 ) -> dict[tuple[str, str], dict[dt.date, int]]:
    """(metric, key) -> {day: count} for days in [since, until]; with keyed=False every key is added up
    (the key is then "")."""
    both = _both(metrics, since, until)
    columns = (both.c.day, both.c.metric, both.c.key) if keyed else (both.c.day, both.c.metric)
    stmt = select(*columns, func.sum(both.c.n)).group_by(*columns)
    out: dict[tuple[str, str], dict[dt.date, int]] = {}
    for row in (await session.execute(stmt)).all():
        day, metric, key, n = row if keyed else (row[0], row[1], "", row[2])
        out.setdefault((str(metric), str(key)), {})[day] = int(n)  # type: ignore[index,call-overload,arg-type]
    return out


async def by_key(session: AsyncSession, metric: str, since: dt.date, until: dt.date, limit: int | None = None,
                 ) -> list[tuple[str, int]]:
    """(key, count) of one metric over the period, most frequent first."""
    both = _both([metric], since, until)
    total = func.sum(both.c.n)
    stmt = select(both.c.key, total).group_by(both.c.key).order_by(total.desc(), both.c.key)
    if limit:
        stmt = stmt.limit(limit)
    return [(str(row[0]), int(row[1])) for row in (await session.execute(stmt)).all()]


@dataclass
class Group:
    """Unanswered queries that say nearly the same thing, with how often each was typed."""

    label: str  # the most frequent wording
    total: int
    variants: list[tuple[str, int]]


def group_similar(counted: list[tuple[str, int]], threshold: float = 82.0) -> list[Group]:
    """Group queries (most frequent first) whose words nearly match (typos, word order, endings);
    each joins the first group it is similar enough to. Biggest groups first."""
    from rapidfuzz import fuzz

    groups: list[Group] = []
    for query, n in sorted(counted, key=lambda kv: (-kv[1], kv[0])):
        for group in groups:
            if fuzz.token_set_ratio(query, group.label) >= threshold or fuzz.ratio(query, group.label) >= threshold:
                group.total += n
                group.variants.append((query, n))
                break
        else:
            groups.append(Group(query, n, [(query, n)]))
    return sorted(groups, key=lambda g: (-g.total, g.label))


async def unanswered(session: AsyncSession, since: dt.date, until: dt.date, handled: set[str],
                     fold: Callable[[str], str], limit: int = 300) -> list[Group]:
    """The period's unanswered queries not dealt with yet (`fold(query)` not in `handled`), the `limit`
    most frequent of them grouped by similarity."""
    counted = await by_key(session, "unanswered", since, until, limit=limit + len(handled))
    return group_similar([(q, n) for q, n in counted if q and fold(q) not in handled][:limit])
