"""Feedback reports on many responses, and poster generation: prints the timings.

    .venv/bin/python bench/feedback_bench.py [--responses 10000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.features.feedback import store
from bot.features.feedback.charts import results_chart
from bot.features.feedback.export import response_table, summary_table, write_csv, write_xlsx
from bot.features.feedback.models import FeedbackResponse
from bot.features.feedback.poster import PosterCode, make_poster
from bot.features.feedback.report import summarize
from bot.features.feedback.surveys import get_surveys
from bot.i18n import Translator
from knowledge.loader import load_kb
from storage.db import open_database


def fake_answers(rnd: random.Random) -> dict:
    overall = rnd.choices([1, 2, 3, 4, 5], weights=[4, 6, 15, 35, 40])[0]
    a = {"overall": overall, "waiting": rnd.randint(1, 5), "staff": rnd.randint(2, 5), "premises": rnd.randint(1, 5),
         "solved": rnd.random() < 0.8}
    if overall <= 2:
        a["what-wrong"] = rnd.sample(["queue", "rude", "not-helped", "premises", "info"], k=rnd.randint(1, 3))
    if not a["solved"]:
        a["why-not-solved"] = rnd.choice(["come-again", "missing-docs", "other-office", "other"])
    if rnd.random() < 0.2:
        a["comment"] = "Коментар відвідувача " + str(rnd.randint(1, 10_000))
    return a


def timed(label: str, fn):
    started = time.perf_counter()
    result = fn()
    print(f"{label:<44} {time.perf_counter() - started:7.2f} s")
    return result


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--responses", type=int, default=10_000)
    parser.add_argument("--keep", type=Path, default=None, help="keep the output files in this folder")
    args = parser.parse_args()
    out = args.keep or Path(tempfile.mkdtemp())
    out.mkdir(parents=True, exist_ok=True)
    kb = load_kb()
    surveys = get_surveys(None)
    rnd = random.Random(5)
    today = dt.date(2026, 11, 23)
    db = await open_database(f"sqlite+aiosqlite:///{out / 'bench.sqlite3'}", create=True)
    try:
        started = time.perf_counter()
        async with db.sessions() as s, s.begin():
            for _ in range(args.responses):
                answers = fake_answers(rnd)
                s.add(FeedbackResponse(survey_id="cnap-visit", survey_version=1, office_id="cnap-main", service_id=None,
                                       window=None, day=today - dt.timedelta(days=rnd.randint(0, 180)),
                                       channel="telegram", lang="uk", source="qr", low=answers["overall"] <= 2,
                                       answers=answers))
        print(f"{'insert ' + str(args.responses) + ' responses':<44} {time.perf_counter() - started:7.2f} s")
        started = time.perf_counter()
        async with db.sessions() as s:
            rows = await store.responses(s, ["cnap-main"], None, None)
        print(f"{'load them':<44} {time.perf_counter() - started:7.2f} s")
    finally:
        await db.dispose()
    t = Translator("uk")
    since, until = rows[0].day, rows[-1].day
    summary = timed("summary (averages, low share, weeks)", lambda: summarize(rows, surveys, "uk", since, until))
    header, table = timed("response table", lambda: response_table(rows, surveys, kb, t))
    summ = summary_table(summary, t, since, until)
    timed("CSV (responses + summary)", lambda: write_csv(out / "report.csv", header, table, summ))
    timed("XLSX (responses + summary sheets)", lambda: write_xlsx(out / "report.xlsx", header, table, summ, t))
    png = timed(f"chart PNG ({len(summary.weeks)} weeks)", lambda: results_chart(summary, t, "ЦНАП"))
    (out / "chart.png").write_bytes(png)
    codes = [PosterCode("Telegram", "https://t.me/hromada_bot?start=fb1_cxitnxj", "t.me/hromada_bot"),
             PosterCode("Viber", "viber://pa?chatURI=hromada&context=fb1_cxitnxj")]
    office = kb.offices["cnap-main"]
    survey = surveys.surveys["cnap-visit"]
    for fmt in ("png", "svg", "pdf"):
        data = timed(f"poster {fmt.upper()} (A4, two QR codes)", lambda fmt=fmt: make_poster(
            fmt, heading=kb.community.name.uk, office=office.name.uk, call_to_action=survey.call_to_action.uk,
            note=survey.poster_note.uk, codes=codes))
        (out / f"poster.{fmt}").write_bytes(data)
    print(f"files in {out}")


if __name__ == "__main__":
    asyncio.run(main())
