"""Feedback reports (numbers, CSV, XLSX, chart) and QR posters, through the CLI as staff run them."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import shutil
from xml.etree import ElementTree

import pytest
import zxingcpp
from openpyxl import load_workbook
from PIL import Image

from bot.features.feedback import store
from bot.features.feedback.report import summarize
from bot.features.feedback.surveys import get_surveys
from run_bot import build_parser
from tests.chat import Chat
from tests.conftest import TEST_KB_DIR as TEST_KB
from tests.conftest import make_app, make_settings
from tests.feedback_support import qr, stored, take_survey

# Five visitors to the main office, one to social protection.
ANSWERS = [
    {"overall": 1, "what-wrong": ["queue"], "waiting": 1, "staff": 2, "premises": 3, "solved": False,
     "why-not-solved": "missing-docs", "comment": "Черга, як завжди"},
    {"overall": 2, "what-wrong": ["queue", "premises"], "waiting": 2, "staff": 4, "premises": 2, "solved": True},
    {"overall": 4, "waiting": 3, "staff": 5, "premises": 4, "solved": True, "comment": "Дякую працівниці у вікні 3"},
    {"overall": 5, "waiting": 5, "staff": 5, "premises": 5, "solved": True},
    {"overall": 5, "waiting": 4, "staff": 5, "premises": 4, "solved": False},
]
ELSEWHERE = {"overall": 3, "waiting": 3, "staff": 3, "premises": 3, "solved": True}


def cli(settings, *argv: str) -> int:
    parser, handlers = build_parser()
    args = parser.parse_args(list(argv))
    return handlers[args.cmd].run(args, settings)


@pytest.fixture
async def answered(db_url, test_kb):
    """A core whose database holds the ANSWERS, given through the chat."""
    settings = make_settings(db_url, BOT_SECRET_KEY="k", BOT_KB_DIR=str(TEST_KB))
    core = await make_app(settings, test_kb)
    for n, answers in enumerate(ANSWERS):
        await take_survey(Chat(core, user=f"visitor-{n}", lang="en"), answers, payload=qr())
    await take_survey(Chat(core, user="elsewhere", lang="en"), ELSEWHERE, payload=qr("social-protection"))
    yield core
    await core.close()


def _mean(key: str, rows=ANSWERS) -> float:
    values = [a[key] for a in rows if key in a]
    return sum(values) / len(values)


async def test_report_numbers_are_the_answers_given(answered):
    async with answered.db.sessions() as s:
        rows = await store.responses(s, ["cnap-main"])
    summary = summarize(rows, get_surveys(None), "en")
    assert summary.responses == len(ANSWERS) == summary.rated
    assert summary.low == 2 and summary.low_share == pytest.approx(0.4)
    by_id = {st.question.id: st for st in summary.questions}
    for key in ("overall", "waiting", "staff", "premises"):
        assert by_id[key].average == pytest.approx(_mean(key)), key
        assert by_id[key].answered == len(ANSWERS)
    assert by_id["overall"].counts == {1: 1, 2: 1, 4: 1, 5: 2}
    assert by_id["overall"].low_share(2) == pytest.approx(0.4)
    assert by_id["what-wrong"].answered == 2 and by_id["what-wrong"].counts == {"queue": 2, "premises": 1}
    assert by_id["solved"].counts == {True: 3, False: 2}
    assert by_id["why-not-solved"].answered == 1  # asked only after "no", and skipped once
    assert [c[2] for c in summary.comments] == ["Дякую працівниці у вікні 3", "Черга, як завжди"]
    assert sum(w.responses for w in summary.weeks) == 5 and summary.weeks[-1].average == pytest.approx(_mean("overall"))

    async with answered.db.sessions() as s:
        everything = await store.responses(s)
        none = await store.responses(s, None, since=dt.date.today() + dt.timedelta(days=2))
    assert len(everything) == 6 and none == []


async def test_csv_report_has_one_row_per_response_and_a_summary(answered, tmp_path):
    out = tmp_path / "report.csv"
    assert await asyncio.to_thread(cli, answered.settings, "feedback", "report", "--office", "cnap-main",
                                   "--format", "csv", "--out", str(out), "--lang", "en") == 0
    with out.open(encoding="utf-8-sig", newline="") as fh:
        table = list(csv.DictReader(fh))
    assert len(table) == len(ANSWERS)
    assert [int(r["Overall quality"]) for r in table] == [a["overall"] for a in ANSWERS]
    assert [r["Issue solved"] for r in table] == ["no", "yes", "yes", "yes", "no"]
    assert table[1]["What went wrong"] == "Long wait in the queue, Crowded, few seats, too hot or cold"
    assert table[0]["Why not solved"] == "Documents were missing" and table[0]["Comment"] == "Черга, як завжди"
    assert {r["Office"] for r in table} == {"Test community CNAP"} and {r["Source"] for r in table} == {"QR code"}
    assert not {"user", "user_id", "chat"} & {k.lower() for k in table[0]}

    with (tmp_path / "report-summary.csv").open(encoding="utf-8-sig", newline="") as fh:
        summary = {row[0]: row[1:] for row in csv.reader(fh) if row}
    assert summary["Responses"] == ["5"]
    assert summary["Low overall ratings"] == ["2", "40%"]
    assert float(summary["Overall quality"][1]) == pytest.approx(round(_mean("overall"), 2))
    assert float(summary["Waiting time"][1]) == pytest.approx(round(_mean("waiting"), 2))


async def test_xlsx_report_has_responses_and_summary_sheets(answered, tmp_path):
    out = tmp_path / "report.xlsx"
    since = dt.date.today() - dt.timedelta(days=3)
    assert await asyncio.to_thread(cli, answered.settings, "feedback", "report", "--since", since.isoformat(),
                                   "--out", str(out), "--lang", "en") == 0
    wb = load_workbook(out)
    assert wb.sheetnames == ["Responses", "Summary"]
    rows = list(wb["Responses"].iter_rows(values_only=True))
    header, data = rows[0], rows[1:]
    assert len(data) == len(ANSWERS) + 1  # every office
    col = header.index("Overall quality")
    assert sorted(r[col] for r in data) == sorted([a["overall"] for a in ANSWERS] + [ELSEWHERE["overall"]])
    assert all(isinstance(r[header.index("Date")], dt.datetime) for r in data)
    summary = {r[0]: r[1:] for r in wb["Summary"].iter_rows(values_only=True) if r[0]}
    assert summary["Responses"][0] == 6
    everyone = [*ANSWERS, ELSEWHERE]
    assert summary["Overall quality"][:3] == (6, pytest.approx(round(_mean("overall", everyone), 2)), pytest.approx(2 / 6, abs=1e-4))
    assert summary["Issue solved"][0] == 6 and "yes: 4" in summary["Issue solved"][3]


async def test_png_report_is_a_chart_and_an_empty_period_says_so(answered, tmp_path, capsys):
    out = tmp_path / "chart.png"
    assert await asyncio.to_thread(cli, answered.settings, "feedback", "report", "--office", "cnap-main",
                                   "--format", "png", "--out", str(out)) == 0
    image = Image.open(out)
    assert image.format == "PNG" and image.width > 800
    future = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    assert await asyncio.to_thread(cli, answered.settings, "feedback", "report", "--since", future,
                                   "--format", "png", "--out", str(tmp_path / "none.png")) == 1
    assert "No responses" in capsys.readouterr().err


# --- posters ------------------------------------------------------------------------------------------------


def _decode(png: bytes) -> set[str]:
    return {r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))}


@pytest.fixture
def poster_settings(sqlite_url):
    return make_settings(sqlite_url, TELEGRAM_BOT_USERNAME="@hromada_test_bot", VIBER_BOT_URI="hromada-test",
                         BOT_KB_DIR=str(TEST_KB))


def test_poster_qr_codes_decode_to_the_exact_deep_links(poster_settings, tmp_path, capsys):
    out = tmp_path / "poster.png"
    assert cli(poster_settings, "qr", "cnap-main", "--channel", "both", "--out", str(out)) == 0
    payload = qr()
    assert _decode(out.read_bytes()) == {
        f"https://t.me/hromada_test_bot?start={payload}",
        f"viber://pa?chatURI=hromada-test&context={payload}",
    }
    printed = capsys.readouterr().out
    assert payload in printed and "t.me/hromada_test_bot" in printed
    image = Image.open(out)
    assert image.size == (2481, 3507)  # A4 at 300 dpi

    out = tmp_path / "window.png"
    assert cli(poster_settings, "qr", "cnap-main", "--service", "id-card", "--window", "3", "--channel", "telegram",
               "--out", str(out)) == 0
    link = f"https://t.me/hromada_test_bot?start={qr(service='id-card', window='3')}"
    assert _decode(out.read_bytes()) == {link}


def test_poster_as_svg_and_pdf(poster_settings, tmp_path):
    assert cli(poster_settings, "qr", "social-protection", "--out", str(tmp_path / "p.svg")) == 0
    root = ElementTree.parse(tmp_path / "p.svg").getroot()
    assert root.tag.endswith("svg") and root.get("width").endswith("pt")
    assert cli(poster_settings, "qr", "social-protection", "--channel", "viber", "--out", str(tmp_path / "p.pdf")) == 0
    assert (tmp_path / "p.pdf").read_bytes().startswith(b"%PDF-")


def test_poster_errors_are_clear(poster_settings, sqlite_url, tmp_path, capsys):
    assert cli(poster_settings, "qr", "no-such-office", "--out", str(tmp_path / "x.png")) == 2
    assert "Unknown office 'no-such-office'" in capsys.readouterr().err
    assert cli(poster_settings, "qr", "cnap-main", "--service", "nope", "--out", str(tmp_path / "x.png")) == 2
    assert "Unknown service" in capsys.readouterr().err
    assert cli(poster_settings, "qr", "cnap-main", "--window", "вікно", "--out", str(tmp_path / "x.png")) == 2
    assert "window" in capsys.readouterr().err
    assert cli(poster_settings, "qr", "cnap-main", "--out", str(tmp_path / "x.gif")) == 2
    assert ".png, .svg or .pdf" in capsys.readouterr().err
    bare = make_settings(sqlite_url, BOT_KB_DIR=str(TEST_KB))
    assert cli(bare, "qr", "cnap-main", "--channel", "viber", "--out", str(tmp_path / "x.png")) == 2
    assert "VIBER_BOT_URI" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_feedback_check_command(tmp_path, sqlite_url, capsys):
    assert cli(make_settings(sqlite_url), "feedback", "check") == 0
    assert "OK: 1 survey(s)" in capsys.readouterr().out
    kb = tmp_path / "kb"
    shutil.copytree(TEST_KB, kb)
    (kb / "surveys").mkdir()
    (kb / "surveys" / "bad.yaml").write_text("id: bad\nversion: 0\n", encoding="utf-8")
    assert cli(make_settings(sqlite_url, BOT_KB_DIR=str(kb)), "feedback", "check") == 1
    out = capsys.readouterr().out
    assert "surveys/bad.yaml: field version: Input should be greater than or equal to 1" in out
    assert "surveys/bad.yaml: field questions: Field required" in out


async def test_stored_rows_are_what_the_chat_saved(answered):
    rows = await stored(answered)
    assert [r.answers for r in rows] == [*ANSWERS, ELSEWHERE]
