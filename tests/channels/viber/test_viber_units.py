"""Viber adapter pieces on their own: keyboards, press detection, signatures, billing, rendering."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from bot.channels.viber.channel import billing_for
from bot.channels.viber.client import ViberApi
from bot.channels.viber.keyboard import (
    MAX_BUTTONS,
    MAX_GRID_ROWS,
    grid_rows,
    is_press,
    keyboard,
    keyboard_payloads,
    merged_rows,
    tracking_data,
)
from bot.channels.viber.render import render
from bot.channels.viber.webhook import signature, signature_ok
from bot.core.events import Attachment, Button, Reply
from tests.conftest import make_settings

ENVELOPE = {"receiver": "u", "sender": {"name": "Громада"}}
ACTIONS = {"menu", "back", "svc", "tick", "help"}


def test_buttons_are_big_for_older_eyes_and_pairs_share_a_line():
    kb = keyboard([
        [Button("Знайти послугу 🔎", "find")],
        [Button("Призначення житлової субсидії для малозабезпечених сімей", "svc:housing-subsidy")],
        [Button("⬅️ Назад", "back~2"), Button("Головне меню 🏠", "menu")],
        [Button("Перша дуже довга кнопка", "a"), Button("Друга дуже довга кнопка", "b")],
        [Button("🌐 Дія", url="https://diia.gov.ua/")],
    ])
    b = kb["Buttons"]
    assert [(x["Columns"], x["Rows"], x["TextSize"]) for x in b] == [
        (6, 1, "large"),  # short: one line, large text
        (6, 2, "regular"),  # long: double height so it wraps instead of shrinking
        (3, 1, "large"), (3, 1, "large"),  # short pair
        (6, 1, "large"), (6, 1, "large"),  # a pair too long to share a line
        (6, 1, "large"),
    ]
    assert b[-1]["ActionType"] == "open-url" and b[-1]["ActionBody"] == "https://diia.gov.ua/"
    assert {x["ActionBody"] for x in b[:4]} == {"find", "svc:housing-subsidy", "back~2", "menu"}
    assert all(x["Silent"] for x in b) and grid_rows(b) == 7


def test_labels_are_escaped_and_kept_within_viber_limits():
    (b,) = keyboard([[Button("<b>A & B</b>", "menu")]])["Buttons"]
    assert "&lt;b&gt;A &amp; B&lt;/b&gt;" in b["Text"] and b["BgColor"].startswith("#")
    (long,) = keyboard([[Button("&" * 100, "menu")]])["Buttons"]
    assert len(long["Text"]) <= 250 and long["Text"].endswith("&amp;</font>")


def test_a_keyboard_too_big_is_compacted_then_trimmed_keeping_the_navigation():
    many = [[Button(f"Послуга номер {n} з дуже довгою назвою", f"svc:s{n}")] for n in range(20)]
    nav = [Button("⬅️ Назад", "back~1"), Button("Головне меню 🏠", "menu")]
    compact = keyboard([*many, nav])["Buttons"]
    assert len(compact) == 22 and all(b["Rows"] == 1 and b["TextSize"] == "regular" for b in compact)
    too_many = [[Button(f"Послуга {n}", f"svc:s{n}")] for n in range(40)]
    trimmed = keyboard([*too_many, nav])["Buttons"]
    assert len(trimmed) <= MAX_BUTTONS and grid_rows(trimmed) <= MAX_GRID_ROWS
    assert [b["ActionBody"] for b in trimmed[-2:]] == ["back~1", "menu"]


def test_a_batch_shows_one_keyboard_merged_without_repeats():
    rows = merged_rows([
        Reply("a", [[Button("🌐 Дія", url="https://diia.gov.ua/")], [Button("Головне меню 🏠", "menu")]]),
        Reply("b", [[Button("Знайти", "find")], [Button("Головне меню 🏠", "menu")]]),
    ])
    assert [[b.label for b in r] for r in rows] == [["🌐 Дія"], ["Головне меню 🏠"], ["Знайти"]]


@pytest.mark.parametrize(
    ("text", "on_screen", "silent", "press"),
    [
        ("menu", ["menu", "find"], False, True),  # a payload of the keyboard on screen
        ("menu", [], False, False),  # the same word typed with no such button: text
        ("help", [], True, True),  # only buttons send silently
        ("svc:id-card", [], False, True),  # machine-made: an action with an argument
        ("back~3", [], False, True),  # machine-made: a screen mark; the core says "out of date"
        ("nosuch:thing", [], False, False),  # not one of our actions
        ("субсидія", [], True, False),  # not a payload at all
        ("/start", [], False, False),
        ("", ["menu"], True, False),
    ],
)
def test_presses_are_told_from_typed_text(text, on_screen, silent, press):
    tracking = tracking_data({"Buttons": [{"ActionType": "reply", "ActionBody": p} for p in on_screen]})
    assert is_press(text, tracking, silent, ACTIONS) is press


def test_tracking_data_round_trips_and_survives_tampering():
    kb = keyboard([[Button("A", "svc:a")], [Button("Link", url="https://x.example/")]])
    assert keyboard_payloads(tracking_data(kb)) == {"svc:a"}
    for junk in (None, "", "{not json", "[1,2]", '{"k": [1, null]}'):
        assert keyboard_payloads(junk) == frozenset()
    assert len(tracking_data({"Buttons": [{"ActionType": "reply", "ActionBody": "x" * 64}] * 100})) <= 4000


def test_signature_is_the_hex_hmac_of_the_raw_body():
    body, token = b'{"event":"webhook"}', "tok"
    sig = signature(body, token)
    assert len(sig) == 64 and signature_ok(body, sig, token) and signature_ok(body, sig.upper(), token)
    for forged in (None, "", "0" * 64, signature(body + b" ", token), signature(body, "other"), "ї" * 64):
        assert not signature_ok(body, forged, token)


def test_billing_follows_the_24_hour_session():
    now = dt.datetime(2026, 5, 1, 12, tzinfo=dt.UTC)
    assert billing_for(now - dt.timedelta(hours=23), now) == "session"
    assert billing_for(now - dt.timedelta(hours=25), now) == "paid"
    assert billing_for(None, now) == "paid"


async def test_combined_rendering_makes_one_message_with_the_keyboard():
    async def no_media(_att):
        return None

    replies = [Reply("Привіт!"), Reply("Головне меню", [[Button("Знайти", "find")]])]
    (one,) = await render(replies, no_media, envelope=ENVELOPE, combine=True)
    assert one["text"] == "Привіт!\n\nГоловне меню" and one["keyboard"]["Buttons"][0]["ActionBody"] == "find"
    assert json.loads(one["tracking_data"])["k"] == ["find"]
    two = await render(replies, no_media, envelope=ENVELOPE)
    assert [("keyboard" in m) for m in two] == [False, True]
    (only_kb,) = await render([Reply("", [[Button("Знайти", "find")]])], no_media, envelope=ENVELOPE)
    assert "type" not in only_kb and only_kb["keyboard"]  # a keyboard on its own (viberbot's KeyboardMessage)


async def test_long_captions_and_other_files_are_sent_sensibly():
    async def url(att):
        return f"https://bot.example/viber/media/{att.filename}"

    long_caption = Attachment("image", "chart.png", b"x", "Оцінки за місяць: " + "дуже добре " * 20)
    bmp = Attachment("image", "chart.bmp", b"x", "Графік")
    msgs = await render([Reply("", attachments=[long_caption, bmp])], url, envelope=ENVELOPE)
    assert [m["type"] for m in msgs] == ["text", "picture", "text", "file"]
    assert msgs[1]["text"] == "" and msgs[3]["file_name"] == "chart.bmp"  # Viber shows only JPEG/PNG/GIF


def test_the_request_encoding_is_utf8_not_escapes():
    assert len(ViberApi.encode({"text": "я" * 10})) == len('{"text":""}') + 20


def test_settings_hold_the_viber_limits():
    s = make_settings("sqlite+aiosqlite://", VIBER_AUTH_TOKEN="tok-123", VIBER_BOT_NAME="Громада Тестова")
    assert s.viber_auth_token.get_secret_value() == "tok-123" and "tok-123" not in repr(s)
    assert s.viber_api_base == "https://chatapi.viber.com/pa"
    with pytest.raises(ValueError):
        make_settings("sqlite+aiosqlite://", VIBER_BOT_NAME="x" * 29)  # Viber: sender.name ≤ 28
