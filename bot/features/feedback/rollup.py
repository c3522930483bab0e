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
from bot.features.feedback.report import QuestionStats, Summary, Week
from bot.features.feedback.surveys import SurveySet
from storage.models import Base

RESPONSES = ""  # question id of the row that counts responses
ANSWERED = "*"  # value of the row that counts responses answering a question (a multiple choice counts once)
CLOSED_AFTER = 2  # days: a day older than this gets no new responses
MAX_OPTION = 20  # an option id is at most this long (surveys.Option): a longer string is a comment


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


Fact = tuple[dt.date, str, str, str, int]  # (day, survey, question, value, count)


def _value(v: Any) -> str:
    return ("true" if v else "false") if isinstance(v, bool) else str(v)[:64]


def _texts(surveys: SurveySet) -> set[tuple[str, str]]:
    return {(s.id, q.id) for s in surveys.surveys.values() for q in s.questions if q.kind == "text"}


def _facts_of(rows: Iterable[FeedbackResponse], texts: set[tuple[str, str]]) -> Counter:
    """(day, office, service, window, survey, question, value) -> count, for these responses."""
    out: Counter = Counter()
    for r in rows:
        base = (r.day, r.office_id, r.service_id or "", r.window or "", r.survey_id)
        out[(*base, RESPONSES, "")] += 1
        for qid, answer in (r.answers or {}).items():
            out[(*base, qid, ANSWERED)] += 1
            if (r.survey_id, qid) in texts or (isinstance(answer, str) and len(answer) > MAX_OPTION):
                continue  # a comment: counted as answered; its words are read from the response itself
            for v in answer if isinstance(answer, list) else [answer]:
                out[(*base, qid, _value(v))] += 1
    return out


async def roll_up(session: AsyncSession, surveys: SurveySet, today: dt.date) -> int:
    """Fold every closed day not folded yet; returns the number of days folded. Safe to run in several
    processes at once: a day is marked in the same transaction and the mark's key refuses a second one."""
    last_closed = today - dt.timedelta(days=CLOSED_AFTER + 1)
    days = (await session.execute(
        select(FeedbackResponse.day).where(FeedbackResponse.day <= last_closed,
                                           FeedbackResponse.day.not_in(select(FeedbackRolledDay.day)))
        .group_by(FeedbackResponse.day).order_by(FeedbackResponse.day))).scalars().all()
    for day in days:
        rows = (await session.execute(select(FeedbackResponse).where(FeedbackResponse.day == day))).scalars()
        session.add(FeedbackRolledDay(day=day))
        for (d, office, service, window, survey, qid, value), n in _facts_of(rows, _texts(surveys)).items():
            session.add(FeedbackDaily(day=d, office_id=office, service_id=service, window=window, survey_id=survey,
                                      question_id=qid, value=value, n=n))
        await session.flush()
    return len(days)


async def counts(session: AsyncSession, surveys: SurveySet, offices: list[str] | None, since: dt.date, until: dt.date,
                 service: str | None = None, window: str | None = None) -> list[Fact]:
    """The answer counts of the period: folded days from `feedback_daily`, the others from the responses."""
    d = FeedbackDaily
    stmt = select(d.day, d.survey_id, d.question_id, d.value, func.sum(d.n)).where(d.day >= since, d.day <= until)
    raw = select(FeedbackResponse).where(FeedbackResponse.day >= since, FeedbackResponse.day <= until,
                                         FeedbackResponse.day.not_in(select(FeedbackRolledDay.day)))
    if offices is not None:
        stmt = stmt.where(d.office_id.in_(offices))
        raw = raw.where(FeedbackResponse.office_id.in_(offices))
    if service:
        stmt = stmt.where(d.service_id == service)
        raw = raw.where(FeedbackResponse.service_id == service)
    if window:
        stmt = stmt.where(d.window == window)
        raw = raw.where(FeedbackResponse.window == window)
    stmt = stmt.group_by(d.day, d.survey_id, d.question_id, d.value)
    out: Counter = Counter()
    for day, survey, qid, value, n in (await session.execute(stmt)).all():
        out[(day, survey, qid, value)] += int(n)
    for (day, _o, _s, _w, survey, qid, value), n in _facts_of((await session.execute(raw)).scalars(), _texts(surveys)).items():
        out[(day, survey, qid, value)] += n
    return sorted((day, survey, qid, value, n) for (day, survey, qid, value), n in out.items())


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _typed(kind: str, value: str) -> Any:
    if kind == "rating":
        return int(value)
    if kind == "yesno":
        return value == "true"
    return value


def summary_of(facts: list[Fact], surveys: SurveySet, lang: str, since: dt.date, until: dt.date) -> Summary:
    """The same Summary that report.summarize() makes from the responses, made from their counts."""
    stats: dict[str, QuestionStats] = {}
    weeks: dict[dt.date, Week] = {}
    responses = rated = low = 0
    main_survey = None
    day = _monday(since)
    while day <= _monday(until):
        weeks[day] = Week(day)
        day += dt.timedelta(days=7)
    for day, survey_id, qid, value, n in facts:
        week = weeks.setdefault(_monday(day), Week(_monday(day)))
        if qid == RESPONSES:
            responses += n
            week.responses += n
            continue
        survey = surveys.surveys.get(survey_id)
        q = survey.question(qid) if survey else None
        if survey is None or q is None or q.kind == "text":
            continue
        main_survey = main_survey or survey
        st = stats.setdefault(q.id, QuestionStats(q, survey))
        if st.question.kind != q.kind:
            continue
        if value == ANSWERED:
            st.answered += n
            continue
        try:
            typed = _typed(q.kind, value)
        except ValueError:
            continue
        st.counts[typed] += n
        if qid == survey.main_rating and isinstance(typed, int):
            rated += n
            low += n if typed <= survey.low_max else 0
            week.rated += n
            week.rating_sum += typed * n
    main_q = main_survey.question(main_survey.main_rating) if main_survey and main_survey.main_rating else None
    order = {q.id: n for s in surveys.surveys.values() for n, q in enumerate(s.questions)}
    return Summary(
        responses=responses, rated=rated, low=low,
        questions=sorted(stats.values(), key=lambda s: order.get(s.question.id, 99)), comments=[],
        weeks=[weeks[k] for k in sorted(weeks)], main_label=main_q.label.get(lang) if main_q else None,
        scale_survey=main_survey,
    )


async def latest_comments(session: AsyncSession, surveys: SurveySet, offices: list[str] | None, since: dt.date,
                          until: dt.date, service: str | None = None, window: str | None = None, limit: int = 10,
                          scan: int = 2000) -> list[tuple[dt.date, str, str]]:
    """(day, office, text) of the newest text answers, looking at most at the `scan` newest responses."""
    stmt = select(FeedbackResponse).where(FeedbackResponse.day >= since, FeedbackResponse.day <= until)
    if offices is not None:
        stmt = stmt.where(FeedbackResponse.office_id.in_(offices))
    if service:
        stmt = stmt.where(FeedbackResponse.service_id == service)
    if window:
        stmt = stmt.where(FeedbackResponse.window == window)
    stmt = stmt.order_by(FeedbackResponse.day.desc(), FeedbackResponse.id.desc()).limit(scan)
    found: list[tuple[dt.date, str, str]] = []
    for r in (await session.execute(stmt)).scalars():
        survey = surveys.surveys.get(r.survey_id)
        for q in survey.questions if survey else ():
            text = (r.answers or {}).get(q.id)
            if q.kind == "text" and isinstance(text, str) and text.strip():
                found.append((r.day, r.office_id, text))
        if len(found) >= limit:
            break
    return found[:limit]
