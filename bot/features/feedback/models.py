"""Tables for feedback surveys .

Anonymous by construction: a response row says which office, survey and day, and the
answers, but nothing about who gave them (not even the time of day). Duplicate
protection ("one response per person per office per day") keeps, in a separate table,
only a keyed hash of (person, office, day) with no link to the response, and only for
as long as it is needed (today and yesterday). After /forget the person's id no longer
exists, so nothing left can be traced back to them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base


class FeedbackResponse(Base):
    """One completed survey."""

    __tablename__ = "feedback_responses"
    __table_args__ = (Index("ix_feedback_responses_office_day", "office_id", "day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    survey_id: Mapped[str] = mapped_column(String(40))
    survey_version: Mapped[int] = mapped_column(Integer)
    office_id: Mapped[str] = mapped_column(String(64))
    service_id: Mapped[str | None] = mapped_column(String(64))
    window: Mapped[str | None] = mapped_column(String(8))
    day: Mapped[dt.date] = mapped_column(index=True)  # the visit's local date; no time is kept
    channel: Mapped[str] = mapped_column(String(16))
    lang: Mapped[str] = mapped_column(String(8))
    source: Mapped[str] = mapped_column(String(8))  # "qr" (a poster) or "menu"
    low: Mapped[bool] = mapped_column(Boolean, default=False)  # the main rating is at or below the alert level
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # question id -> answer


class FeedbackReceipt(Base):
    """"This person answered for this office today", as a keyed hash only (no user id)."""

    __tablename__ = "feedback_receipts"

    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[dt.date] = mapped_column(index=True)
