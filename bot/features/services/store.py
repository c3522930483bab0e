"""Unanswered searches, kept without any link to the person who typed them."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.services.models import SearchMiss

_EMAIL = re.compile(r"\S+@\S+")
_LONG_NUMBER = re.compile(r"\d[\d\s()+-]{4,}\d")


def scrub(query: str) -> str:
    """People type phone numbers, e-mails and document numbers into search: keep the words, not those."""
    return _LONG_NUMBER.sub("<number>", _EMAIL.sub("<email>", query))


async def record_search_miss(
    session: AsyncSession, query: str, lang: str, best_id: str | None, best_score: float | None
) -> None:
    session.add(SearchMiss(query=scrub(query)[:200], lang=lang, best_id=best_id, best_score=best_score))
    await session.flush()


async def top_search_misses(session: AsyncSession, since: dt.datetime, limit: int = 50) -> list[tuple[str, int]]:
    stmt = (
        select(SearchMiss.query, func.count())
        .where(SearchMiss.created_at >= since)
        .group_by(SearchMiss.query)
        .order_by(func.count().desc())
        .limit(limit)
    )
    return [(q, n) for q, n in (await session.execute(stmt)).all()]


