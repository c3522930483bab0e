"""Searches that found nothing, kept without who asked (the demand signal for staff)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, utcnow


class SearchMiss(Base):
    """A query that found nothing good, kept WITHOUT who asked, so staff can improve the KB."""

    __tablename__ = "search_misses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    query: Mapped[str] = mapped_column(String(200))
    lang: Mapped[str] = mapped_column(String(8))
    # Kept for the rows of older versions: an unanswered search has no best candidate to store.
    best_id: Mapped[str | None] = mapped_column(String(64))
    best_score: Mapped[float | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
