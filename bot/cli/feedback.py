"""`run_bot.py feedback`: survey results as CSV, XLSX or a chart; check the survey files."""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
from pathlib import Path

NAME = "feedback"
HELP = "feedback surveys: report (CSV, XLSX, PNG chart), check the survey files"
ORDER = 81


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise SystemExit(f"Not a date: {text!r} (write it as YYYY-MM-DD)") from exc


def add_arguments(parser) -> None:
    sub = parser.add_subparsers(dest="feedback_cmd", required=True)
    rep = sub.add_parser("report", help="responses and summary for an office (or all) and a period")
    rep.add_argument("--office", default=None, help="office id (default: every office)")
    rep.add_argument("--since", type=_date, default=None, help="first day, YYYY-MM-DD")
    rep.add_argument("--until", type=_date, default=None, help="last day, YYYY-MM-DD")
    rep.add_argument("--format", choices=["csv", "xlsx", "png"], default=None, help="default: from --out")
    rep.add_argument("--out", type=Path, required=True, help="file to write")
    rep.add_argument("--lang", choices=["uk", "en"], default="uk", help="language of headers and answers (default uk)")
    sub.add_parser("check", help="validate the survey files against the knowledge base")


def _check(settings) -> int:
    from bot.features.feedback.links import code_collisions
    from bot.features.feedback.surveys import SurveyError, check_against_kb, load_surveys, surveys_dir
    from knowledge.loader import DATA_DIR, load_kb

    directory = surveys_dir(settings.kb_dir)
    kb = load_kb(settings.kb_dir or DATA_DIR, strict=False)
    try:
        surveys = load_surveys(directory)
        problems = check_against_kb(surveys, kb) + code_collisions(kb)
    except SurveyError as exc:
        surveys, problems = None, exc.problems
    if problems:
        print(f"{len(problems)} problem(s) in {directory}:")
        for p in problems:
            print(f"  - {p}")
        return 1
    assert surveys is not None  # no problems: they loaded
    offices = len(surveys.offices(kb))
    print(f"OK: {len(surveys.surveys)} survey(s) in {directory}, for {offices} office(s).")
    return 0


async def _report(args, settings) -> int:
    from bot.features.feedback import store
    from bot.features.feedback.export import response_table, summary_table, write_csv, write_xlsx
    from bot.features.feedback.report import summarize
    from bot.features.feedback.surveys import get_surveys
    from bot.i18n import Translator
    from knowledge.loader import DATA_DIR, load_kb
    from storage.db import open_database

    fmt = args.format or args.out.suffix.lower().lstrip(".")
    if fmt not in ("csv", "xlsx", "png"):
        print("Give --format csv, xlsx or png (or an --out file ending in one of them).", file=sys.stderr)
        return 2
    kb = load_kb(settings.kb_dir or DATA_DIR, strict=False)
    if args.office and args.office not in kb.offices:
        print(f"Unknown office {args.office!r}; offices: {', '.join(kb.offices)}", file=sys.stderr)
        return 2
    surveys = get_surveys(settings.kb_dir)
    t = Translator(args.lang)
    db = await open_database(settings.database_url)
    try:
        async with db.sessions() as session:
            rows = await store.responses(session, [args.office] if args.office else None, args.since, args.until)
    finally:
        await db.dispose()
    first = args.since or (rows[0].day if rows else None)
    last = args.until or (rows[-1].day if rows else None)
    summary = summarize(rows, surveys, t.lang, first, last)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "png":
        from bot.features.feedback.charts import results_chart

        if not rows:
            print("No responses for this office and period: nothing to chart.", file=sys.stderr)
            return 1
        assert first is not None and last is not None  # there are rows
        title = kb.offices[args.office].name.get(t.lang) if args.office else kb.community.name.get(t.lang)
        args.out.write_bytes(results_chart(summary, t, f"{title}\n{t.day(first, last)} – {t.day(last)}"))
        written = [args.out]
    else:
        header, table = response_table(rows, surveys, kb, t)
        summ = summary_table(summary, t, first, last, as_text=fmt == "csv")
        written = write_csv(args.out, header, table, summ, t) if fmt == "csv" else write_xlsx(args.out, header, table, summ, t)
    low = f", {summary.low} low overall rating(s)" if summary.rated else ""
    print(f"{summary.responses} response(s){low}. Written: {', '.join(map(str, written))}")
    return 0


def run(args, settings) -> int:
    if args.feedback_cmd == "check":
        return _check(settings)
    return asyncio.run(_report(args, settings))
