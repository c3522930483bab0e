"""The staff console's dashboards over a year of a busy community: prints server times per page.

    .venv/bin/python bench/console_bench.py [--responses 100000] [--searches 1000000] [--postgres URL]

Fills a fresh database (SQLite in a temporary folder; or the PostgreSQL database at URL, whose public
schema is DROPPED first — give a throwaway one) with a year of anonymous activity — `--searches`
searches (a quarter of them unanswered, worded from a vocabulary of a few thousand queries with typos),
service and topic views, status lookups, checklists, surveys — and `--responses` feedback responses,
then folds the past days (what `serve` does every 10 minutes) and requests each page through the real
HTTP server, signed in as an administrator. The baseline, measured in the same run, is the same
feedback numbers computed from the responses themselves (the report code), and the figures page
before the folding (every event counted from its own row).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime as dt
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, text
from sqlalchemy.engine import make_url

from bench.feedback_bench import fake_answers
from bot.app import FEATURES
from bot.core import activity
from bot.core.clock import ManualClock
from bot.features.feedback import rollup, store
from bot.features.feedback.models import FeedbackResponse
from bot.features.feedback.report import summarize
from bot.features.feedback.surveys import get_surveys
from knowledge.loader import load_kb
from tests.conftest import make_app, make_settings
from tests.console_support import person, serve, signed_in

KYIV = ZoneInfo("Europe/Kyiv")
NOW = dt.datetime(2026, 12, 31, 12, 0, tzinfo=KYIV)
TODAY = NOW.date()
START = dt.date(2026, 1, 1)
WORDS = ["довідка", "субсидія", "паспорт", "пенсія", "допомога", "земля", "опалення", "вода", "сміття", "школа",
         "садочок", "лікар", "інвалідність", "переселенець", "ветеран", "оренда", "ліцензія", "штраф", "борг", "дитина",
         "мама", "бабуся", "квартира", "будинок", "газ", "світло", "тариф", "виплата", "картка", "реєстрація"]


def vocabulary(rnd: random.Random, n: int = 3000) -> list[str]:
    """Unanswered queries as people word them: a few words, sometimes with a typo."""
    out = []
    for _ in range(n):
        words = rnd.sample(WORDS, rnd.randint(1, 4))
        if rnd.random() < 0.3:
            w = rnd.randrange(len(words))
            cut = rnd.randrange(1, max(2, len(words[w])))
            words[w] = words[w][:cut] + words[w][cut + 1:]
        out.append(" ".join(words))
    return out


def days() -> list[dt.date]:
    return [START + dt.timedelta(days=n) for n in range((TODAY - START).days + 1)]


async def fill(core, responses: int, searches: int) -> None:
    rnd = random.Random(11)
    kb = core.kb
    services, topics, offices = list(kb.services), list(kb.categories), list(kb.offices)
    vocab = vocabulary(rnd)
    weights = [1 / (n + 1) for n in range(len(vocab))]  # Zipf: a few queries are typed very often
    all_days = days()
    batch: list[dict] = []

    async def flush(table) -> None:
        if batch:
            async with core.db.sessions() as s, s.begin():
                await s.execute(insert(table), batch)
            batch.clear()

    started = time.perf_counter()
    per_day = searches / len(all_days)
    for day in all_days:
        n = int(per_day) + (rnd.random() < per_day % 1)
        for _ in range(n):
            found = rnd.random() < 0.75
            batch.append({"day": day, "metric": "search", "key": "found" if found else "not_found"})
            if found:
                batch.append({"day": day, "metric": "service", "key": rnd.choice(services)})
            else:
                batch.append({"day": day, "metric": "unanswered", "key": activity.query_key(rnd.choices(vocab, weights)[0])})
        for _ in range(int(n * 0.4)):
            batch.append({"day": day, "metric": "conversation", "key": ""})
        for _ in range(int(n * 0.1)):
            batch.append({"day": day, "metric": "topic", "key": rnd.choice(topics)})
            batch.append({"day": day, "metric": "status_lookup", "key": rnd.choice(["found", "found", "not_found"])})
            batch.append({"day": day, "metric": "checklist_started", "key": rnd.choice(services)})
        if len(batch) > 20_000:
            await flush(activity.ActivityEvent)
    await flush(activity.ActivityEvent)
    print(f"  {searches:,} searches and their activity written in {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    for n in range(responses):
        day = all_days[n * len(all_days) // responses]
        office = rnd.choice(offices)
        answers = fake_answers(rnd)
        batch.append(dict(survey_id="cnap-visit", survey_version=1, office_id=office, service_id=rnd.choice([None, None, rnd.choice(services)]),
                          window=rnd.choice([None, "1", "2", "3"]), day=day, channel="telegram", lang="uk", source="qr",
                          low=answers["overall"] <= 2, answers=answers))
        batch.append({"day": day, "metric": "survey_started", "key": office})  # (folded into the activity below)
        batch[-1], batch[-2] = batch[-2], batch[-1]
        if len(batch) >= 10_000:
            await _split_flush(core, batch)
    await _split_flush(core, batch)
    print(f"  {responses:,} feedback responses written in {time.perf_counter() - started:.1f} s")


async def _split_flush(core, batch: list[dict]) -> None:
    responses = [b for b in batch if "survey_id" in b]
    events = [b for b in batch if "metric" in b]
    events += [{"day": r["day"], "metric": "survey_done", "key": f"{r['office_id']}:{r['answers']['overall']}"} for r in responses]
    async with core.db.sessions() as s, s.begin():
        if responses:
            await s.execute(insert(FeedbackResponse), responses)
        if events:
            await s.execute(insert(activity.ActivityEvent), events)
    batch.clear()


async def timings(client, path: str, runs: int) -> tuple[float, float, float]:
    """(first request, median and worst of the `runs` after it) in ms."""
    times = []
    for _ in range(runs + 1):
        started = time.perf_counter()
        response = await client.get(path)
        body = await response.read()
        times.append((time.perf_counter() - started) * 1000)
        assert response.status == 200, (path, response.status, body[:300])
    return times[0], statistics.median(times[1:]), max(times[1:])


async def run(url: str, responses: int, searches: int, runs: int, fill_it: bool = True, copy: Path | None = None) -> None:
    kb = load_kb()
    # Without the background folding of `serve`: this benchmark folds by itself, after the baseline.
    features = [dataclasses.replace(f, web=None) if f.name in ("feedback", "figures") else f for f in FEATURES]
    core = await make_app(make_settings(url), kb, clock=ManualClock(NOW), features=features)
    try:
        print(f"Database: {core.db.engine.dialect.name}")
        if fill_it:
            await fill(core, responses, searches)
            if copy:
                async with core.db.engine.connect() as conn:  # everything into the main file, then copy it
                    await conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
                shutil.copy(make_url(url).database or "", copy)
        await person(core, "admin", user="bench-admin")
        surveys = get_surveys(None)
        pages = [("/console/feedback?days=365", "feedback dashboard, all offices, 365 days"),
                 ("/console/feedback", "feedback dashboard, all offices, 30 days"),
                 ("/console/figures?days=365", "community figures, 365 days by month"),
                 ("/console/figures?days=30", "community figures, 30 days by day"),
                 ("/console/figures/summary?month=2026-11", "monthly summary"),
                 ("/console/unanswered?days=365", "unanswered searches, 365 days")]
        results: dict[str, list[str]] = {}
        async with serve(core) as client:
            await signed_in(core, client, "bench-admin")
            # Baseline: the same numbers from every row (nothing folded yet).
            for path, label in pages:
                results[label] = [f"{(await timings(client, path, 1))[1]:8.0f}"]
            started = time.perf_counter()
            async with core.db.sessions() as s:
                rows = await store.responses(s, None, TODAY - dt.timedelta(days=364), TODAY)
            summarize(rows, surveys, "uk", TODAY - dt.timedelta(days=364), TODAY)
            report_ms = (time.perf_counter() - started) * 1000
            started = time.perf_counter()
            async with core.db.sessions() as s, s.begin():
                folded_days = await rollup.roll_up(s, surveys, TODAY)
            fold_feedback = time.perf_counter() - started
            started = time.perf_counter()
            async with core.db.sessions() as s, s.begin():
                folded = await activity.rollup(s, TODAY)
            fold_activity = time.perf_counter() - started
            if core.db.engine.dialect.name == "postgresql":
                async with core.db.engine.connect() as conn:
                    await conn.execute(text("ANALYZE"))
            for path, label in pages:
                first, median, worst = await timings(client, path, runs)
                results[label] += [f"{first:8.0f}", f"{median:8.0f}", f"{worst:8.0f}"]
            started = time.perf_counter()
            export = await client.get("/console/figures/open-data.csv?year=2026")
            body = await export.read()
            export_s = time.perf_counter() - started
        print(f"  folding: feedback {folded_days} days in {fold_feedback:.1f} s; activity {folded:,} events in {fold_activity:.1f} s "
              "(once; afterwards a day at a time)")
        print(f"  baseline: the year's feedback summary from the responses themselves (report code): {report_ms:.0f} ms")
        print()
        print(f"{'page (ms, through HTTP)':<44} {'unfolded':>8} {'first':>8} {'median':>8} {'worst':>8}")
        for _path, label in pages:
            print(f"{label:<44} {' '.join(results[label])}")
        print(f"{'open-data export of the year':<44} {export_s * 1000:8.0f} ms, {len(body):,} bytes")
    finally:
        await core.close()


async def reset_postgres(url: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--searches", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--postgres", metavar="URL", help="a throwaway PostgreSQL database (its schema is dropped)")
    parser.add_argument("--copy", type=Path, metavar="FILE", help="SQLite: start from a copy of this filled database "
                        "(written on the first run), to skip the filling when trying changes")
    args = parser.parse_args()
    fill_it = True
    if args.postgres:
        asyncio.run(reset_postgres(args.postgres))
        url = args.postgres
    else:
        path = Path(tempfile.mkdtemp()) / "bench.sqlite3"
        if args.copy and args.copy.exists():
            shutil.copy(args.copy, path)
            fill_it = False
        url = f"sqlite+aiosqlite:///{path}"
    asyncio.run(run(url, args.responses, args.searches, args.runs, fill_it, args.copy))


if __name__ == "__main__":
    main()
