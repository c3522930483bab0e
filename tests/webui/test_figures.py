"""Community figures from anonymous counts: what the flows count, folding, open data, and privacy."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot.core import activity
from bot.core.clock import ManualClock
from bot.features.figures import opendata
from bot.features.figures.numbers import collect
from storage.models import Base
from tests.chat import Chat
from tests.conftest import make_app, make_settings
from tests.console_support import person, serve, signed_in
from tests.feedback_support import qr, take_survey

NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=ZoneInfo("Europe/Kyiv"))
TODAY = NOW.date()


@pytest.fixture
async def fcore(db_url, test_kb):
    core = await make_app(make_settings(db_url), test_kb, clock=ManualClock(NOW))
    yield core
    await core.close()


async def test_the_flows_count_what_happened_and_never_who(fcore):
    anna, petro = Chat(fcore, user="anna"), Chat(fcore, user="petro")
    await anna.send("субсидія")  # found
    await anna.press("субсиді")  # the service card
    await anna.press("Назад")  # back to the results: not another search
    await anna.send("щжхзщшгне 0671234567")  # not found (a phone number typed along)
    await petro.start()
    await petro.send("паспорт")
    await take_survey(Chat(fcore, user="v", lang="en"), {"overall": 2, "what-wrong": ["queue"], "waiting": 2, "staff": 2,
                                                         "premises": 2, "solved": True}, qr())
    fcore.services.clock.advance(dt.timedelta(days=1))
    await anna.send("паспорт")  # anna again, the next day
    async with fcore.db.sessions() as s:
        fig = await collect(s, TODAY, TODAY + dt.timedelta(days=1), "day")
        unanswered = await activity.by_key(s, "unanswered", TODAY, TODAY)
        columns = {c.name for c in activity.ActivityEvent.__table__.columns} | {c.name for c in activity.ActivityDaily.__table__.columns}
    assert fig.per_bucket["conversation"] == [3, 1]  # anna, petro, the surveyed visitor; then anna
    assert (fig.totals["search_found"], fig.totals["search_not_found"]) == (3, 1)
    assert fig.services == [("housing-subsidy", 1)]
    assert unanswered == [("щжхзщшгне [phone]", 1)]  # masked
    assert fig.offices["cnap-main"] == {"started": 1, "done": 1, "rated": 1, "rating_sum": 2, "low": 1}
    assert not columns & {"user_id", "person", "external_id", "created_at"}  # no person, no time of day


async def test_folding_past_days_keeps_every_count_once_even_when_two_processes_fold(fcore):
    async with fcore.db.sessions() as s, s.begin():
        for n in range(300):
            activity.record(s, TODAY - dt.timedelta(days=n % 5), "search", "found" if n % 3 else "not_found")
    async with fcore.db.sessions() as s:
        before = await activity.by_day(s, ["search"], TODAY - dt.timedelta(days=10), TODAY)

    async def fold() -> int:
        async with fcore.db.sessions() as s, s.begin():
            return await activity.rollup(s, TODAY)

    folded = await asyncio.gather(fold(), fold(), fold())
    assert sum(folded) == 240  # every event of the four past days, by whichever process took it
    async with fcore.db.sessions() as s:
        after = await activity.by_day(s, ["search"], TODAY - dt.timedelta(days=10), TODAY)
        left = (await s.execute(select(func.count()).select_from(activity.ActivityEvent))).scalar_one()
    assert after == before and left == 60  # today's events wait for tomorrow


async def test_open_data_suppresses_small_counts_and_never_has_free_text(fcore):
    async with fcore.db.sessions() as s, s.begin():
        for _n in range(7):
            activity.record(s, TODAY, "service", "housing-subsidy")
            activity.record(s, TODAY, "survey_done", "cnap-main:4")
        for _n in range(2):
            activity.record(s, TODAY, "service", "id-card")
            activity.record(s, TODAY, "survey_done", "social-protection:1")
        activity.record(s, TODAY, "unanswered", "мій сусід іван петренко")
    async with fcore.db.sessions() as s:
        table = await opendata.rows(s, fcore.kb, dt.date(2026, 1, 1), TODAY)
    rows = list(csv.DictReader(io.StringIO(opendata.to_csv(table).decode())))
    by = {(r["measure"], r["item"]): r for r in rows}
    assert by[("service_views", "housing-subsidy")]["value"] == "7"
    assert (by[("service_views", "id-card")]["value"], by[("service_views", "id-card")]["note"]) == ("", "suppressed")
    assert by[("satisfaction_avg", "cnap-main")]["value"] == "4.00"
    assert by[("satisfaction_avg", "social-protection")]["note"] == "suppressed"
    assert "іван" not in opendata.to_csv(table).decode() and {r["month"] for r in rows} == {"2026-12"}
    assert list(rows[0]) == [name for name, _doc in opendata.COLUMNS]
    assert {r["measure"] for r in rows} <= set(opendata.MEASURES)


async def test_forget_leaves_nothing_personal_in_the_consoles_tables(fcore):
    worker = await person(fcore, "social_worker", user="secret-worker-4455")
    async with serve(fcore) as client:
        csrf = await signed_in(fcore, client, "secret-worker-4455")
        await client.post("/console/clients/name", data={"name": "Олена", "csrf": csrf})
        await client.post("/console/clients/add", data={"alias": "Ганна К.", "csrf": csrf})
    chat = Chat(fcore, user="secret-worker-4455", lang="en")
    await chat.send("/forget")
    await chat.press("Yes, delete")
    async with fcore.db.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            for row in (await conn.execute(table.select())).mappings().all():
                values = dict(row)
                assert "secret-worker-4455" not in repr(values), table.name
                for column in ("user_id", "actor_id", "subject_id"):
                    assert values.get(column) != worker, f"{table.name}.{column}"
    async with fcore.db.sessions() as s:
        from bot.webui.models import AuditEntry

        kept = (await s.execute(select(AuditEntry.action))).scalars().all()
    assert "sign_in" in kept and "client_invited" in kept  # what was done stays on record, not who did it
