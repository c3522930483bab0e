"""Feedback counts per day, so the console's dashboard reads hundreds of rows instead of every response.

A response is stored once and never changes; its day is the visit's local date. Days that can no
longer get a response (older than yesterday: an unfinished survey is dropped after two hours) are
folded once into `feedback_daily` — how many responses, and how many times each answer was given
to each question — and marked in `feedback_rolled_days`. Recent days are counted from the
responses themselves. The numbers are then read with the report's own types (report.Summary), so
the dashboard says exactly what the bot's "Feedback results" and the exports say.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Date, Index, Integer, String, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from bot.features.feedback.models import FeedbackResponse
from bot.features.feedback.report import QuestionStats, Summary, Week, _monday
from bot.features.feedback.surveys import SurveySet
from storage.models import Base

RESPONSES = ""  # question id of the row that counts responses
ANSWERED = "*"  # value of the row that counts responses answering a question (a multiple choice counts once)
CLOSED_AFTER = 2  # days: a day older than this gets no new responses


class FeedbackDaily(Base):
    __tablename__ = "feedback_daily"
    __table_args__ = (Index("ix_feedback_daily_day_office", "day", "office_id"),)

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    office_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    service_id: Mapped[str] = mapped_column(String(64), primary_key=True, default="")
    window: Mapped[str] = mapped_column(String(8), primary_key=True, default="")
    survey_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    question_id: Mapped[str] = mapped_column(String(40), primary_key=True, default="")
    value: Mapped[str] = mapped_column(String(64), primary_key=True, default="")
    n: Mapped[int] = mapped_column(Integer, default=0)


class FeedbackRolledDay(Base):
    """A day whose responses are in `feedback_daily`."""

    __tablename__ = "feedback_rolled_days"

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
