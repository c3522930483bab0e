"""Feedback surveys: definitions, QR payloads, taking a survey, duplicates, resuming, alerts, /forget."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from sqlalchemy import select

from bot.core.clock import ManualClock
from bot.features.feedback import flows as flow
from bot.features.feedback.links import PREFIX, Target, code, code_collisions, make_payload, parse_payload
from bot.features.feedback.models import FeedbackReceipt
from bot.features.feedback.surveys import BUNDLED_DIR, SurveyError, check_against_kb, load_surveys
from storage import people as repo
from storage.models import Base
from tests.chat import Chat
from tests.conftest import make_app, make_settings
from tests.feedback_support import current_question, make_staff, qr, stored, take_survey, user_id
from tests.sinks import Sink

ROOT = Path(__file__).resolve().parents[3]
LOW = {"overall": 1, "what-wrong": ["queue", "rude"], "waiting": 2, "staff": 3, "premises": 4, "solved": False,
       "why-not-solved": "come-again", "comment": "Чекала дві години, а вікно так і не відкрили."}
HIGH = {"overall": 5, "waiting": 4, "staff": 5, "premises": 5, "solved": True}


# Midday in the community: surveys are dated by the local day, whatever the hour the tests run at.
NOON = dt.datetime(2026, 11, 30, 12, 0, tzinfo=ZoneInfo("Europe/Kyiv"))


def kyiv_today() -> dt.date:
    return NOON.date()


@pytest.fixture
async def fb_core(db_url, test_kb):
    core = await make_app(make_settings(db_url, BOT_SECRET_KEY="feedback-test-key"), test_kb, clock=ManualClock(NOON))
    yield core
    await core.close()


@pytest.fixture
async def core(sqlite_url, test_kb):
    """conftest's core, with a secret key (so no data/secret.key is written into the checkout)."""
    core = await make_app(make_settings(sqlite_url, BOT_SECRET_KEY="feedback-test-key"), test_kb,
                          clock=ManualClock(NOON))
    yield core
    await core.close()


# --- survey files -----------------------------------------------------------------------------


def test_the_default_survey_follows_the_national_monitoring(real_kb):
    surveys = load_surveys(BUNDLED_DIR)
    survey = surveys.surveys["cnap-visit"]
    ids = [q.id for q in survey.questions]
    assert {"overall", "waiting", "staff", "premises", "solved", "comment"} <= set(ids)
    assert {q.kind for q in survey.questions} == {"rating", "single", "multiple", "yesno", "text"}
    assert survey.questions[0].id == "overall" and survey.alert.question == "overall"
    assert survey.question("what-wrong").show_if.max == 2
    assert survey.question("comment").optional and survey.question("comment").max_length == 500
    assert [survey.scale_label(v, "uk") for v in (5, 1)] == ["5 — Чудово", "1 — Дуже погано"]
    assert check_against_kb(surveys, real_kb) == []
    assert surveys.for_target("library").id == "cnap-visit"  # "*": every office
    assert [o.id for o in surveys.offices(real_kb)][0] == real_kb.main_office.id


def _write(folder: Path, name: str, data) -> None:
    folder.mkdir(exist_ok=True)
    text = data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True)
    (folder / name).write_text(text, encoding="utf-8")


def test_broken_survey_files_are_reported_with_file_question_and_field(tmp_path):
    good = yaml.safe_load((BUNDLED_DIR / "cnap-visit.yaml").read_text(encoding="utf-8"))
    later = json.loads(json.dumps(good))
    later["id"] = "later"
    later["attach"] = [{"office": "cnap-main"}]
    later["questions"][1]["show_if"] = {"question": "comment", "max": 2}  # refers forward
    _write(tmp_path, "later.yaml", later)
    kinds = json.loads(json.dumps(good))
    kinds["id"] = "kinds"
    kinds["attach"] = [{"office": "cnap-main", "service": "id-card"}]
    kinds["questions"][0]["kind"] = "stars"
    kinds["questions"][2]["options"] = [{"id": "a", "text": {"uk": "а", "en": "a"}}]
    del kinds["questions"][3]["text"]["en"]
    _write(tmp_path, "kinds.yaml", kinds)
    noscale = json.loads(json.dumps(good))
    del noscale["scale"]
    noscale["attach"] = [{"office": "social-protection"}]
    _write(tmp_path, "wrong-name.yaml", noscale)
    _write(tmp_path, "broken.yaml", "id: [unclosed")

    with pytest.raises(SurveyError) as err:
        load_surveys(tmp_path)
    text = "\n".join(err.value.problems)
    assert "surveys/later.yaml: question what-wrong: field show_if.question: 'comment' is not a question asked before" in text
    assert "surveys/kinds.yaml: question overall: field kind: Input should be 'rating'" in text
    assert "surveys/kinds.yaml: question waiting: a rating question has no options" in text
    assert "surveys/kinds.yaml: question staff: field text.en: Field required" in text
    assert "surveys/wrong-name.yaml: field scale: the words for ratings 1–5 are missing" in text
    assert "surveys/broken.yaml: cannot read YAML" in text


def test_survey_cross_checks(tmp_path, test_kb):
    good = yaml.safe_load((BUNDLED_DIR / "cnap-visit.yaml").read_text(encoding="utf-8"))
    _write(tmp_path, "cnap-visit.yaml", good)
    twin = dict(good, id="twin")
    _write(tmp_path, "twin.yaml", twin)  # the same attachment ("*") twice
    with pytest.raises(SurveyError, match=r"surveys/twin.yaml: field attach: \*/-/- already has the survey 'cnap-visit'"):
        load_surveys(tmp_path)
    (tmp_path / "twin.yaml").unlink()
    _write(tmp_path, "window.yaml", dict(good, id="window", attach=[{"office": "no-such-office", "service": "nope"}]))
    surveys = load_surveys(tmp_path)
    assert check_against_kb(surveys, test_kb) == [
        "surveys/window.yaml: field attach: unknown office 'no-such-office'",
        "surveys/window.yaml: field attach: unknown service 'nope'",
    ]
    _write(tmp_path, "window.yaml", dict(good, id="window", attach=[{"office": "cnap-main", "window": "3"}]))
    surveys = load_surveys(tmp_path)
    assert surveys.for_target("cnap-main", "id-card", "3").id == "window"  # the most specific wins
    assert surveys.for_target("cnap-main", "id-card", "4").id == "cnap-visit"


# --- payloads ------------------------------------------------------------------------------------------


def test_payloads_are_short_opaque_versioned_and_resolve_back(real_kb):
    longest_office = max(real_kb.offices, key=len)
    longest_service = max(real_kb.services, key=len)
    for target in (Target("cnap-main"), Target(longest_office, longest_service, "12AB")):
        payload = make_payload(target)
        assert re.fullmatch(r"[A-Za-z0-9_-]{1,64}", payload) and len(payload) <= 40, payload
        assert payload.startswith(PREFIX + "_")
        assert target.office not in payload and (target.service or "§") not in payload  # opaque
        assert parse_payload(payload.removeprefix(PREFIX + "_"), real_kb) == target
    assert parse_payload("zzzzzzz", real_kb) is None  # unknown (or removed) office
    assert parse_payload(f"{code('office', 'cnap-main')}_x1", real_kb) is None  # malformed
    retired = f"{code('office', 'cnap-main')}_s{code('service', 'retired-service')}"
    assert parse_payload(retired, real_kb) == Target("cnap-main")  # the office's own survey still works
    assert code_collisions(real_kb) == []
    with pytest.raises(ValueError):
        make_payload(Target("cnap-main", window="вікно 1"))


async def test_unknown_and_retired_links_get_a_friendly_answer(core):
    chat = Chat(core, lang="en")
    for payload in ("fb1_zzzzzzz", "fb0_" + qr().split("_", 1)[1], "fb2_abc", "fb1_", "fb1_" + "a" * 70):
        await chat.start(payload)
        assert "out of date" in chat.text, payload
        assert chat.last[-1].text.startswith("Main menu"), payload
        assert current_question(chat) is None


# --- taking the survey ------------------------------------------------------------------------------------


async def test_qr_low_rating_asks_the_follow_ups_and_stores_the_answers_anonymously(fb_core):
    chat = Chat(fb_core, user="visitor-4711", channel="telegram", lang="en")
    replies = await chat.start(qr())
    assert "/forget" in replies[0].text  # a new user: the privacy notice first…
    assert "Test community CNAP" in replies[1].text and "anonymous" in replies[1].text  # …then straight into the survey
    assert [b.label for b in replies[2].all_buttons()][:5] == ["5 — Excellent", "4 — Good", "3 — Acceptable", "2 — Poor",
                                                             "1 — Very poor"]
    asked = await take_survey(chat, LOW)
    assert asked == ["overall", "what-wrong", "waiting", "staff", "premises", "solved", "why-not-solved", "comment"]
    assert "Thank you very much" in chat.text and "1 Testova St" in chat.text  # thanks, then the office's contacts

    (row,) = await stored(fb_core)
    assert row.answers == LOW and row.low and row.office_id == "cnap-main" and row.source == "qr"
    assert row.day == kyiv_today()
    columns = set(row.__table__.columns.keys())
    assert not {"user_id", "external_id", "created_at"} & columns  # no identity and no time of day
    assert "visitor-4711" not in repr({c: getattr(row, c) for c in columns})


async def test_skip_logic_leaves_out_follow_ups_after_good_answers(fb_core):
    chat = Chat(fb_core, lang="en")
    asked = await take_survey(chat, HIGH, payload=qr())
    assert asked == ["overall", "waiting", "staff", "premises", "solved", "comment"]  # no "what went wrong?"
    (row,) = await stored(fb_core)
    assert row.answers == HIGH and not row.low  # the skipped comment is simply absent


async def test_one_response_per_person_office_and_day(fb_core, monkeypatch):
    chat = Chat(fb_core, lang="en")
    await take_survey(chat, HIGH, payload=qr())
    await chat.start(qr())
    assert "already left feedback for this office today" in chat.text and current_question(chat) is None
    await chat.send("/start")
    await chat.press("Leave feedback")
    await chat.press("Test community CNAP")
    assert "already left feedback" in chat.text
    await take_survey(chat, HIGH, payload=qr("social-protection"))  # another office: fine
    await take_survey(Chat(fb_core, user="neighbour", lang="en"), HIGH, payload=qr())  # another person: fine
    assert len(await stored(fb_core)) == 3

    today = kyiv_today()
    monkeypatch.setattr(flow, "_today", lambda ctx: today + dt.timedelta(days=1))  # the next visit, tomorrow
    assert await take_survey(chat, HIGH, payload=qr()) != []
    monkeypatch.setattr(flow, "_today", lambda ctx: today + dt.timedelta(days=3))
    await take_survey(chat, HIGH, payload=qr())
    rows = await stored(fb_core)
    assert len(rows) == 5 and [r.day for r in rows][-2:] == [today + dt.timedelta(days=1), today + dt.timedelta(days=3)]
    async with fb_core.db.sessions() as s:  # receipts are kept only as long as they are needed
        days = set((await s.execute(select(FeedbackReceipt.day))).scalars())
    assert days == {today + dt.timedelta(days=3)}


async def test_unfinished_survey_is_resumed_from_the_menu_or_the_qr_and_expires(fb_core):
    chat = Chat(fb_core, lang="en")
    await chat.start(qr())
    await chat.press("2 —")  # overall: poor → "what went wrong?"
    await chat.press("Long wait")
    await chat.press("Main menu")
    await chat.press("Leave feedback")
    assert "unfinished survey about «Test community CNAP»" in chat.text
    await chat.press("Continue")
    assert current_question(chat).id == "what-wrong" and "☑ Long wait in the queue" in chat.labels
    await chat.press("Done")
    assert current_question(chat).id == "waiting"
    await chat.start(qr())  # scanning again: where we stopped
    assert "Welcome back" in chat.text and current_question(chat).id == "waiting"

    fb_core.services.clock.advance(dt.timedelta(hours=3))  # the visitor comes back three hours later
    await chat.press("Main menu")
    await chat.press("Leave feedback")
    assert "Which office did you visit?" in chat.text  # expired: nothing to continue
    await chat.press("Social protection")
    assert current_question(chat).id == "overall"
    assert await stored(fb_core) == []  # unfinished surveys are never stored


async def test_menu_lists_offices_main_first_and_another_office_can_be_chosen(core):
    chat = Chat(core, lang="en")
    await chat.start()
    await chat.press("Leave feedback")
    assert chat.labels[:2] == ["Test community CNAP", "Social protection"] and "Main menu 🏠" in chat.labels
    await chat.press("Social protection")
    await chat.press("4 —")
    await chat.press("Main menu")
    await chat.press("Leave feedback")
    await chat.press("Choose another office")
    await chat.press("Test community CNAP")
    assert current_question(chat).id == "overall"
    await chat.press("5 —")
    await chat.start(qr("social-protection"))  # the other office's survey was given up
    assert "Welcome back" not in chat.text and current_question(chat).id == "overall"


async def test_free_text_is_limited_and_optional_and_typed_answers_work(core):
    chat = Chat(core, lang="en")
    await chat.start(qr())
    await chat.send("5")  # typed rating
    assert current_question(chat).id == "waiting"
    await chat.send("good")  # the words of the scale
    await chat.send("4")
    await chat.send("3")
    assert current_question(chat).id == "solved"
    await chat.send("yes")
    assert current_question(chat).id == "comment"
    await chat.send("x" * 501)
    assert "501 characters" in chat.text and "500" in chat.text and current_question(chat).id == "comment"
    await chat.press("Skip")
    assert "Thank you very much" in chat.text
    (row,) = await stored(core)
    assert row.answers == {"overall": 5, "waiting": 4, "staff": 4, "premises": 3, "solved": True}


async def test_other_text_during_a_survey_is_a_search_and_the_survey_waits(core):
    chat = Chat(core, lang="en")
    await chat.start(qr())
    await chat.send("housing subsidy")  # first: perhaps an answer in their own words, so the buttons again
    assert "answer with one of the buttons" in chat.text and current_question(chat) is not None
    await chat.send("housing subsidy")  # again: they want something else
    assert "subsid" in chat.text.lower() and current_question(chat) is None
    await chat.press("Main menu")
    await chat.press("Leave feedback")
    assert "unfinished survey" in chat.text


async def test_double_tap_and_old_buttons_do_not_break_the_survey(core):
    chat = Chat(core, lang="en")
    await chat.start(qr())
    first = chat.last
    await chat.press("4 —")
    again = await chat.press_payload(chat.button("1 —", first).payload)  # the same question's button, tapped twice
    assert current_question(chat).id == "waiting" and "out of date" not in chat.text, [r.text for r in again]
    await take_survey(chat, HIGH)
    await chat.press_payload(chat.button("1 —", first).payload)  # a button of a finished survey
    assert "out of date" in chat.text
    (row,) = await stored(core)
    assert row.answers["overall"] == 4


# --- staff alerts --------------------------------------------------------------------------------------------


async def test_low_rating_alerts_the_office_staff_at_once_with_the_comment(fb_core):
    staff = await make_staff(fb_core, "cnap-main", user="staff-cnap")
    admin = await make_staff(fb_core, "", role="admin", user="admin-all")
    other = await make_staff(fb_core, "social-protection", user="staff-social")
    sink = Sink()
    worker = fb_core.delivery_worker([sink])

    await take_survey(Chat(fb_core, user="happy", lang="en"), HIGH, payload=qr())
    await worker.run_once()
    assert sink.sent == []  # good ratings alert nobody

    visitor = Chat(fb_core, user="unhappy", lang="en")
    await take_survey(visitor, LOW, payload=qr())
    assert "passed your answers to the office's staff" in visitor.text
    await worker.run_once()
    await worker.run_once()
    received = dict(sink.sent)
    assert set(received) == {staff.user, admin.user}  # not the other office's staff, and only once each
    alert = received[staff.user]
    assert "Low rating" in alert and "Test community CNAP" in alert
    assert "Overall quality: 1 — Very poor" in alert and "Long wait in the queue, Impolite treatment" in alert
    assert LOW["comment"] in alert and "unhappy" not in alert
    assert other.user not in received


# --- results in the bot ------------------------------------------------------------------------------------


async def test_staff_see_results_with_a_chart_and_others_cannot(fb_core):
    staff = await make_staff(fb_core, "cnap-main")
    for n, answers in enumerate([LOW, HIGH, dict(HIGH, overall=4, comment="Дякую, все швидко!")]):
        await take_survey(Chat(fb_core, user=f"v{n}", lang="en"), answers, payload=qr())
    await take_survey(Chat(fb_core, user="elsewhere", lang="en"), LOW, payload=qr("social-protection"))

    await staff.start()
    await staff.press("Feedback results")
    chart, summary = staff.last[-2:]
    assert chart.attachments[0].kind == "image" and chart.attachments[0].data.startswith(b"\x89PNG")
    text = summary.text
    assert "Responses: 3" in text  # the other office's response is not counted
    assert "Low overall ratings (1–2): 1 (33%)" in text
    assert "• Overall quality: 3.3 (3 answers)" in text  # (1 + 5 + 4) / 3
    assert "• Waiting time: 3.3 (3 answers)" in text  # (2 + 4 + 4) / 3
    assert "Issue solved:" in text and "yes — 2; no — 1" in text
    assert text.index("Дякую, все швидко!") < text.index(LOW["comment"])  # latest first
    await staff.press("7 days")
    assert "✔ 7 days" in staff.labels and "Responses: 3" in staff.text

    visitor = Chat(fb_core, user="v0", lang="en")
    await visitor.start()
    assert "Feedback results 📊" not in visitor.labels
    await visitor.press_payload("fbr:cnap-main:30")
    assert "out of date" in visitor.text and "Responses" not in visitor.text
    await staff.press_payload("fbr:social-protection:30")  # not their office
    assert "out of date" in staff.text


# --- privacy -------------------------------------------------------------------------------------------------------


async def test_forget_leaves_no_link_between_the_person_and_their_feedback(fb_core):
    chat = Chat(fb_core, user="secret-visitor-9911", channel="telegram", lang="en")
    await take_survey(chat, LOW, payload=qr())
    await chat.start(qr("social-protection"))  # and one unfinished survey in the state
    await chat.press("3 —")
    me = await user_id(fb_core, chat)
    await chat.send("/forget")
    await chat.press("Yes, delete")
    async with fb_core.db.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            for row in (await conn.execute(table.select())).mappings().all():
                assert "secret-visitor-9911" not in repr(dict(row)), table.name
                assert row.get("user_id") != me, table.name
    (row,) = await stored(fb_core)
    assert row.answers == LOW  # the anonymous answer stays: it was never linked to the person
    async with fb_core.db.sessions() as s:
        assert await repo.find_user(s, "telegram", "secret-visitor-9911") is None
