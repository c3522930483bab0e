"""The Telegram webhook as `serve` runs it: what it answers to repeats, forgeries and garbage."""

from __future__ import annotations

import json
import logging

import aiohttp
import pytest

from tests.conftest import make_app, make_settings
from tests.fakes.telegram_api import FakeTelegram
from tests.web_support import raw_post, serving

SECRET = "hook-Secret_1"
CHAT = 5151
PATH = "/telegram/webhook"


@pytest.fixture
async def hook(sqlite_url, test_kb):
    async with FakeTelegram() as tg:
        settings = make_settings(sqlite_url, TELEGRAM_BOT_TOKEN=tg.token, TELEGRAM_API_BASE=tg.base_url,
                                 TELEGRAM_WEBHOOK_SECRET=SECRET, BOT_DELIVERY_POLL_SECONDS="0.05")
        yield tg, settings


async def post(base: str, update: dict, secret: str = SECRET) -> int:
    async with aiohttp.ClientSession() as http:
        async with http.post(base + PATH, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": secret}) as r:
            return r.status


async def test_a_replayed_update_is_answered_once_even_after_a_restart(hook, test_kb):
    tg, settings = hook
    start = tg.text_update(CHAT, "/start")
    for _round in range(2):  # the second round is a new process on the same database
        app = await make_app(settings, test_kb)
        try:
            async with serving(app, ["telegram"]) as base:
                for _ in range(3):
                    assert await post(base, start) == 200
                await tg.wait_messages(CHAT, 2)
        finally:
            await app.close()
    assert len(tg.messages(CHAT)) == 2  # the privacy notice and the menu, once


async def test_a_replayed_button_press_makes_one_answer(hook, test_kb):
    tg, settings = hook
    app = await make_app(settings, test_kb)
    try:
        async with serving(app, ["telegram"]) as base:
            assert await post(base, tg.text_update(CHAT, "/start")) == 200
            _notice, menu = await tg.wait_messages(CHAT, 2)
            press = tg.press_update(menu, "Знайти послугу")
            for _ in range(3):
                assert await post(base, press) == 200
            await tg.wait_until(lambda: len(tg.messages(CHAT)) >= 3 and press["callback_query"]["id"] not in tg.callbacks_open())
            before = len(tg.messages(CHAT))
            assert await post(base, tg.text_update(CHAT, "/help")) == 200  # something after, to wait for
            await tg.wait_messages(CHAT, before + 1)
    finally:
        await app.close()
    texts = [m.text for m in tg.messages(CHAT)]
    assert sum("Введіть своїми словами" in t for t in texts) == 1, texts


async def test_forged_malformed_and_unknown_input_gets_the_documented_answer_and_no_traceback(hook, test_kb, caplog):
    tg, settings = hook
    caplog.set_level(logging.DEBUG)
    app = await make_app(settings, test_kb)
    update = tg.text_update(CHAT, "/start")
    try:
        async with serving(app, ["telegram"]) as base:
            body = json.dumps(update).encode()
            json_type = {"Content-Type": "application/json"}
            assert (await raw_post(base, PATH, body, {**json_type, "X-Telegram-Bot-Api-Secret-Token": "Ключ".encode()}))[0] == 401
            assert (await raw_post(base, PATH, body, json_type))[0] == 401
            assert (await raw_post(base, PATH, b"{not json", {**json_type, "X-Telegram-Bot-Api-Secret-Token": SECRET}))[0] == 400
            assert (await raw_post(base, PATH, b"[1, 2]", {**json_type, "X-Telegram-Bot-Api-Secret-Token": SECRET}))[0] == 400
            nested = b"[" * 100_000 + b"]" * 100_000
            assert (await raw_post(base, PATH, nested, {**json_type, "X-Telegram-Bot-Api-Secret-Token": SECRET}))[0] == 400
            broken = {"update_id": 77, "message": {"message_id": "x", "chat": "nope"}}  # not what Telegram sends
            assert await post(base, broken) == 400
            secret_words = "Моя адреса: вулиця Секретна, 5"
            unknown = {"update_id": 78, "edited_message": {"message_id": 1, "date": 0, "text": secret_words,
                                                           "chat": {"id": CHAT, "type": "private"}}}
            assert await post(base, unknown) == 200  # not ours to handle: taken, not answered
            assert await post(base, update) == 200
            await tg.wait_messages(CHAT, 2)
    finally:
        await app.close()
    logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records if r.name != "aiohttp.access")
    assert "Traceback" not in logged and "never retrieved" not in logged
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], [r.getMessage() for r in caplog.records]
    assert secret_words not in logged
    assert len(tg.messages(CHAT)) == 2  # only the genuine update was answered
