"""Unanswered searches, kept without any link to the person who typed them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.services.models import SearchMiss


async def record_search_miss(session: AsyncSession, log_text: str, lang: str) -> None:
    """`log_text` is the search's `Answer.log_text`: cleaned, with phones, e-mails and long numbers masked."""
    session.add(SearchMiss(query=log_text[:200], lang=lang))
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
