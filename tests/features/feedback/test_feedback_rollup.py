"""The dashboard's per-day counts say exactly what the report says from the responses themselves."""

from __future__ import annotations

import asyncio
import datetime as dt
import random

from sqlalchemy import func, select

from bot.features.feedback import rollup
from bot.features.feedback.models import FeedbackResponse
from bot.features.feedback.report import summarize
from bot.features.feedback.surveys import get_surveys
from tests.conftest import make_app, make_settings

SURVEYS = get_surveys(None)
SURVEY = SURVEYS.surveys["cnap-visit"]
TODAY = dt.date(2026, 12, 1)


def random_response(rnd: random.Random, day: dt.date) -> FeedbackResponse:
    answers: dict = {"overall": rnd.randint(1, 5), "waiting": rnd.randint(1, 5), "solved": rnd.random() < 0.7}
    if answers["overall"] <= 2:
        answers["what-wrong"] = rnd.sample(["queue", "rude", "documents", "info"], rnd.randint(1, 3))
    if not answers["solved"]:
        answers["why-not-solved"] = rnd.choice(["come-again", "missing-docs", "other"])
    if rnd.random() < 0.3:
        answers["comment"] = rnd.choice(["Дякую!", "Довго чекала", "x" * 300])
    return FeedbackResponse(survey_id="cnap-visit", survey_version=SURVEY.version, office_id=rnd.choice(["cnap-main", "cnap-branch"]),
                            service_id=rnd.choice([None, "id-card"]), window=rnd.choice([None, "3"]), day=day,
                            channel="telegram", lang="uk", source="qr", low=answers["overall"] <= 2, answers=answers)


def comparable(summary) -> tuple:
    return (summary.responses, summary.rated, summary.low,
            [(w.start, w.responses, w.rated, w.rating_sum) for w in summary.weeks],
            {s.question.id: (s.answered, dict(s.counts)) for s in summary.questions})


async def test_counts_from_folded_days_and_fresh_responses_match_the_report(db_url, test_kb):
    core = await make_app(make_settings(db_url), test_kb, search=False)
    rnd = random.Random(7)
    try:
        async with core.db.sessions() as s, s.begin():
            for n in range(600):
                s.add(random_response(rnd, TODAY - dt.timedelta(days=n % 40)))
        async with core.db.sessions() as s, s.begin():
            folded = await rollup.roll_up(s, SURVEYS, TODAY)
        assert folded == 40 - 3  # today, yesterday and the day before may still get responses
        async with core.db.sessions() as s, s.begin():
            assert await rollup.roll_up(s, SURVEYS, TODAY) == 0  # nothing twice
        since, until = TODAY - dt.timedelta(days=29), TODAY
        for offices, service, window in ((None, None, None), (["cnap-main"], None, None), (None, "id-card", None),
                                         (["cnap-branch"], None, "3"), (None, "id-card", "3")):
            async with core.db.sessions() as s:
                counted = await rollup.counts(s, SURVEYS, offices, since, until, service, window)
                rows = [r for r in (await s.execute(select(FeedbackResponse).where(
                    FeedbackResponse.day >= since, FeedbackResponse.day <= until).order_by(
                    FeedbackResponse.day, FeedbackResponse.id))).scalars()
                    if (offices is None or r.office_id in offices) and (service is None or r.service_id == service)
                    and (window is None or r.window == window)]
            assert comparable(rollup.summary_of(counted, SURVEYS, "uk", since, until)) == comparable(
                summarize(rows, SURVEYS, "uk", since, until))
            assert rows  # the filters left something to compare
        async with core.db.sessions() as s:  # comments are never folded: not even their length
            values = (await s.execute(select(rollup.FeedbackDaily.value).where(
                rollup.FeedbackDaily.question_id == "comment"))).scalars().all()
        assert set(values) == {rollup.ANSWERED}
    finally:
        await core.close()


async def test_two_processes_folding_at_once_count_each_day_once(db_url, test_kb):
    core = await make_app(make_settings(db_url), test_kb, search=False)
    rnd = random.Random(3)
    try:
        async with core.db.sessions() as s, s.begin():
            for n in range(200):
                s.add(random_response(rnd, TODAY - dt.timedelta(days=5 + n % 10)))

        async def fold() -> int:
            try:
                async with core.db.sessions() as s, s.begin():
                    return await rollup.roll_up(s, SURVEYS, TODAY)
            except Exception:  # the other process marked the same day first: its transaction won
                return -1

        await asyncio.gather(fold(), fold(), fold())
        await fold()
        async with core.db.sessions() as s:
            d = rollup.FeedbackDaily
            total = (await s.execute(select(func.sum(d.n)).where(d.question_id == rollup.RESPONSES, d.service_id == rollup.ALL,
                                                                 d.window == rollup.ALL, d.office_id == rollup.ALL))).scalar_one()
        assert total == 200
    finally:
        await core.close()
