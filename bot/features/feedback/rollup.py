"""Feedback counts per day, so the console's dashboard reads hundreds of rows instead of every response.

A response is stored once and never changes; its day is the visit's local date. Days that can no
longer get a response (older than yesterday: an unfinished survey is dropped after two hours) are
folded once into `feedback_daily` — how many responses, and how many times each answer was given
to each question — and marked in `feedback_rolled_days`. Each response is counted in a few slices
(`_slices`): its office; its office and service; its office and window; every office together (ALL),
so a dashboard with or without those filters reads only its own rows (a year of one office, or of
all of them, is some 20,000 rows). Recent days are counted from the responses themselves. The numbers are then read with the report's own types (report.Summary), so
the dashboard says exactly what the bot's "Feedback results" and the exports say.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Date, Index, Integer, Select, String, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from bot.features.feedback.models import FeedbackResponse
from bot.features.feedback.report import QuestionStats, Summary, Week
from bot.features.feedback.surveys import SurveySet
from storage.models import Base

RESPONSES = ""  # question id of the row that counts responses
ALL = "*"  # service or window of the rows that count every service or window
ANSWERED = "*"  # value of the row that counts responses answering a question (a multiple choice counts once)
CLOSED_AFTER = 2  # days: a day older than this gets no new responses
MAX_OPTION = 20  # an option id is at most this long (surveys.Option): a longer string is a comment


class FeedbackDaily(Base):
    __tablename__ = "feedback_daily"
    __table_args__ = (Index("ix_feedback_daily_slice", "service_id", "window", "office_id", "day", "survey_id",
                            "question_id", "value", "n"),)

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


@dataclass
class Counted:
    """The answer counts of a period: for the whole period, and day by day for the trend."""

    totals: Counter = field(default_factory=Counter)  # (survey, question, value) -> count
    trend: Counter = field(default_factory=Counter)  # (day, survey, question, value) -> count; responses and main ratings


def _value(v: Any) -> str:
    return ("true" if v else "false") if isinstance(v, bool) else str(v)[:64]


def _texts(surveys: SurveySet) -> set[tuple[str, str]]:
    return {(s.id, q.id) for s in surveys.surveys.values() for q in s.questions if q.kind == "text"}


def _answers(r: FeedbackResponse, texts: set[tuple[str, str]]) -> Iterator[tuple[str, str]]:
    """(question, value) pairs a response counts as: once as a response, once per answered question,
    once per value given (each option of a multiple choice)."""
    yield RESPONSES, ""
    for qid, answer in (r.answers or {}).items():
        yield qid, ANSWERED
        if (r.survey_id, qid) in texts or (isinstance(answer, str) and len(answer) > MAX_OPTION):
            continue  # a comment: counted as answered; its words are read from the response itself
        for v in answer if isinstance(answer, list) else [answer]:
            yield qid, _value(v)


def _slices(r: FeedbackResponse) -> set[tuple[str, str, str]]:
    """(office, service, window) rows a response is folded into: its office; its office and service; its
    office and window; and every office (ALL), so each dashboard filter reads rows of its own."""
    out = {(r.office_id, ALL, ALL), (ALL, ALL, ALL)}
    if r.service_id:
        out.add((r.office_id, r.service_id, ALL))
    if r.window:
        out.add((r.office_id, ALL, r.window))
    return out


async def roll_up(session: AsyncSession, surveys: SurveySet, today: dt.date) -> int:
    """Fold every closed day not folded yet; returns the number of days folded. Safe to run in several
    processes at once: a day is marked in the same transaction and the mark's key refuses a second one."""
    last_closed = today - dt.timedelta(days=CLOSED_AFTER + 1)
    days = (await session.execute(
        select(FeedbackResponse.day).where(FeedbackResponse.day <= last_closed,
                                           FeedbackResponse.day.not_in(select(FeedbackRolledDay.day)))
        .group_by(FeedbackResponse.day).order_by(FeedbackResponse.day))).scalars().all()
    texts = _texts(surveys)
    for day in days:
        session.add(FeedbackRolledDay(day=day))
        await session.flush()  # the mark first: a second process folding the same day fails here
        facts: Counter = Counter()
        for r in (await session.execute(select(FeedbackResponse).where(FeedbackResponse.day == day))).scalars():
            pairs = list(_answers(r, texts))
            for office, service, window in _slices(r):
                for qid, value in pairs:
                    facts[(office, service, window, r.survey_id, qid, value)] += 1
        rows = [{"day": day, "office_id": office, "service_id": service, "window": window, "survey_id": survey,
                 "question_id": qid, "value": value, "n": n}
                for (office, service, window, survey, qid, value), n in facts.items()]
        for start in range(0, len(rows), 5000):
            await session.execute(insert(FeedbackDaily), rows[start:start + 5000])
    return len(days)


def _responses(offices: list[str] | None, since: dt.date, until: dt.date, service: str | None, window: str | None,
               ) -> Select[FeedbackResponse]:
    """The responses the dashboard's filters select."""
    stmt = select(FeedbackResponse).where(FeedbackResponse.day >= since, FeedbackResponse.day <= until)
    if offices is not None:
        stmt = stmt.where(FeedbackResponse.office_id.in_(offices))
    if service:
        stmt = stmt.where(FeedbackResponse.service_id == service)
    if window:
        stmt = stmt.where(FeedbackResponse.window == window)
    return stmt


async def counts(session: AsyncSession, surveys: SurveySet, offices: list[str] | None, since: dt.date, until: dt.date,
                 service: str | None = None, window: str | None = None) -> Counted:
    """The answer counts of the period: folded days from `feedback_daily`, the others from the responses
    (with both a service and a window chosen, every day from the responses: that pair is not folded)."""
    out = Counted()
    mains = [s.main_rating for s in surveys.surveys.values() if s.main_rating]
    both = bool(service and window)
    raw = _responses(offices, since, until, service, window)
    if not both:
        d = FeedbackDaily
        where = [d.service_id == (service or ALL), d.window == (window or ALL), d.day >= since, d.day <= until]
        if offices is not None:
            where.append(d.office_id.in_(offices))
        elif not (service or window):
            where.append(d.office_id == ALL)
        for survey, qid, value, n in (await session.execute(
                select(d.survey_id, d.question_id, d.value, func.sum(d.n)).where(*where)
                .group_by(d.survey_id, d.question_id, d.value))).all():
            out.totals[(survey, qid, value)] += int(n)
        for day, survey, qid, value, n in (await session.execute(
                select(d.day, d.survey_id, d.question_id, d.value, func.sum(d.n))
                .where(*where, d.question_id.in_([RESPONSES, *mains]))
                .group_by(d.day, d.survey_id, d.question_id, d.value))).all():
            out.trend[(day, survey, qid, value)] += int(n)
        raw = raw.where(FeedbackResponse.day.not_in(select(FeedbackRolledDay.day)))
    texts, main_of = _texts(surveys), {s.id: s.main_rating for s in surveys.surveys.values()}
    for r in (await session.execute(raw)).scalars():
        for qid, value in _answers(r, texts):
            out.totals[(r.survey_id, qid, value)] += 1
            if qid == RESPONSES or (qid == main_of.get(r.survey_id) and value != ANSWERED):
                out.trend[(r.day, r.survey_id, qid, value)] += 1
    return out


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _typed(kind: str, value: str) -> Any:
    if kind == "rating":
        return int(value)
    if kind == "yesno":
        return value == "true"
    return value


def summary_of(counted: Counted, surveys: SurveySet, lang: str, since: dt.date, until: dt.date) -> Summary:
    """The same Summary that report.summarize() makes from the responses, made from their counts."""
    stats: dict[str, QuestionStats] = {}
    weeks: dict[dt.date, Week] = {}
    responses = rated = low = 0
    day = _monday(since)
    while day <= _monday(until):
        weeks[day] = Week(day)
        day += dt.timedelta(days=7)
    for (day, survey_id, qid, value), n in counted.trend.items():
        week = weeks.setdefault(_monday(day), Week(_monday(day)))
        survey = surveys.surveys.get(survey_id)
        if qid == RESPONSES:
            week.responses += n
        elif survey is not None and qid == survey.main_rating and value != ANSWERED and value.isdigit():
            week.rated += n
            week.rating_sum += int(value) * n
    by_size = sorted(((n, survey) for (survey, qid, _v), n in counted.totals.items() if qid == RESPONSES), reverse=True)
    main_survey = next((surveys.surveys[s] for _n, s in by_size if s in surveys.surveys), None)
    for (survey_id, qid, value), n in counted.totals.items():
        if qid == RESPONSES:
            responses += n
            continue
        survey = surveys.surveys.get(survey_id)
        q = survey.question(qid) if survey else None
        if survey is None or q is None or q.kind == "text":
            continue
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
                          scan: int = 300) -> list[tuple[dt.date, str, str]]:
    """(day, office, text) of the newest text answers, looking at most at the `scan` newest responses."""
    stmt = _responses(offices, since, until, service, window).order_by(FeedbackResponse.day.desc(), FeedbackResponse.id.desc()).limit(scan)
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
