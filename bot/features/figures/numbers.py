"""The community's figures: read from the anonymous activity counts (bot/core/activity.py) and the outbox.

Nothing here knows a person: counts per day, metric and key (a service, a topic, an office).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import activity
from storage.models import Outbox

KEYED = ("search", "status_lookup")  # day by day, apart by outcome
TOTALS = ("conversation", "checklist_started", "checklist_completed")  # day by day, whatever the key
SURVEYS = ("survey_started", "survey_done")  # for the whole period, by office (and rating)


def bucket_of(day: dt.date, by: str) -> dt.date:
    if by == "week":
        return day - dt.timedelta(days=day.weekday())
    if by == "month":
        return day.replace(day=1)
    return day


def buckets(since: dt.date, until: dt.date, by: str) -> list[dt.date]:
    out: list[dt.date] = []
    day = since
    while day <= until:
        b = bucket_of(day, by)
        if not out or out[-1] != b:
            out.append(b)
        day += dt.timedelta(days=1)
    return out


@dataclass
class Figures:
    since: dt.date
    until: dt.date
    by: str
    labels: list[dt.date]
    per_bucket: dict[str, list[int]]  # "conversation", "search_found", "search_not_found", … -> one value per bucket
    totals: Counter
    services: list[tuple[str, int]]
    topics: list[tuple[str, int]]
    situations: list[tuple[str, int]]
    offices: dict[str, dict[str, float]] = field(default_factory=dict)  # office -> started, done, rated, rating_sum, low
    delivery: dict[str, int] = field(default_factory=dict)
    failures: list[tuple[str, int]] = field(default_factory=list)

    @property
    def found_rate(self) -> float | None:
        searches = self.totals["search_found"] + self.totals["search_not_found"]
        return self.totals["search_found"] / searches if searches else None

    def found_rates(self) -> list[float | None]:
        found, missed = self.per_bucket["search_found"], self.per_bucket["search_not_found"]
        return [round(100 * f / (f + m), 1) if f + m else None for f, m in zip(found, missed)]

    @property
    def satisfaction(self) -> float | None:
        rated = sum(o["rated"] for o in self.offices.values())
        return sum(o["rating_sum"] for o in self.offices.values()) / rated if rated else None


def _name(metric: str, key: str) -> str:
    """How a (metric, key) count is filed: searches and lookups by outcome, the rest by metric."""
    if metric in ("search", "status_lookup"):
        return f"{metric}_{key or 'found'}"
    return metric


async def collect(session: AsyncSession, since: dt.date, until: dt.date, by: str, top: int = 10) -> Figures:
    labels = buckets(since, until, by)
    index = {b: n for n, b in enumerate(labels)}
    per: dict[str, list[int]] = {}
    totals: Counter = Counter()
    offices: dict[str, dict[str, float]] = {}
    series = {**await activity.by_day(session, KEYED, since, until),
              **await activity.by_day(session, TOTALS, since, until, keyed=False)}
    for (metric, key), days in series.items():
        name = _name(metric, key)
        row = per.setdefault(name, [0] * len(labels))
        for day, n in days.items():
            row[index[bucket_of(day, by)]] += n
            totals[name] += n
    for metric in SURVEYS:
        for key, n in await activity.by_key(session, metric, since, until):
            office, _sep, rating = key.partition(":")
            o = offices.setdefault(office, {"started": 0, "done": 0, "rated": 0, "rating_sum": 0, "low": 0})
            o["started" if metric == "survey_started" else "done"] += n
            totals[metric] += n
            if metric == "survey_done" and rating.isdigit():
                o["rated"] += n
                o["rating_sum"] += int(rating) * n
                o["low"] += n if int(rating) <= 2 else 0
    for name in ("conversation", "search_found", "search_not_found", "status_lookup_found", "status_lookup_not_found",
                 "checklist_started", "checklist_completed"):
        per.setdefault(name, [0] * len(labels))
    delivery, failures = await delivery_health(session, since, until)
    return Figures(
        since, until, by, labels, per, totals,
        services=await activity.by_key(session, "service", since, until, limit=top),
        topics=await activity.by_key(session, "topic", since, until, limit=top),
        situations=await activity.by_key(session, "situation", since, until, limit=top),
        offices=offices, delivery=delivery, failures=failures,
    )


async def delivery_health(session: AsyncSession, since: dt.date, until: dt.date) -> tuple[dict[str, int], list[tuple[str, int]]]:
    """Messages queued in the period by what became of them; those sent after a retry; those waiting now
    because the platform said 429; and the commonest reasons of failures."""
    start = dt.datetime.combine(since, dt.time(), dt.UTC)
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), dt.UTC)
    period = and_(Outbox.created_at >= start, Outbox.created_at < end)
    out = {state: int(n) for state, n in (await session.execute(
        select(Outbox.state, func.count()).where(period).group_by(Outbox.state))).all()}
    out["retried"] = int((await session.execute(select(func.count()).where(
        period, Outbox.state == "sent", Outbox.attempts > 1))).scalar_one())
    out["waiting_429"] = int((await session.execute(select(func.count()).where(
        Outbox.state == "pending", Outbox.last_error.like("%429%")))).scalar_one())
    failures = [(reason or "", int(n)) for reason, n in (await session.execute(
        select(Outbox.last_error, func.count()).where(period, Outbox.state == "failed")
        .group_by(Outbox.last_error).order_by(func.count().desc()).limit(5))).all()]
    return out, failures
