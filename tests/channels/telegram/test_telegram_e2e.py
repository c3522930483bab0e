"""Telegram end to end over real HTTP: aiogram polling a strict fake Bot API server."""

from __future__ import annotations

import asyncio
import json
import logging

import aiohttp
import pytest
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import SendMessage
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.channels.telegram.adapter import TelegramChannel, keyboard
from bot.channels.telegram.names import WEBHOOK_PATH
from bot.core.events import Button, Reply
from bot.delivery import outbox
from storage import people as repo
from storage.models import User
from tests.cnap_questions import QUESTIONS, assert_office_answer
from tests.conftest import make_app, make_settings
from tests.fakes.telegram_api import FakeTelegram
from tests.telegram_support import telegram_running
from tests.viber_harness import eventually

CHAT = 1001


class Harness:
    def __init__(self, tg: FakeTelegram, core, channel: TelegramChannel, runtime):
        self.tg, self.core, self.channel, self.runtime = tg, core, channel, runtime

    async def say(self, text: str, expect: int = 1):
        before = len(self.tg.messages(CHAT))
        await self.tg.user_sends(CHAT, text)
        msgs = await self.tg.wait_messages(CHAT, before + expect)
        return msgs[before:]

    async def press(self, message, label: str, expect_new: int = 1):
        before = len(self.tg.messages(CHAT))
        edits_before = sum(m.edits for m in self.tg.messages(CHAT))
        query = await self.tg.user_presses(message, label)
        await self.tg.wait_until(
            lambda: query not in self.tg.callbacks_open()
            and (
                sum(m.edits for m in self.tg.messages(CHAT)) > edits_before  # edited in place
                if expect_new == 0
                else len(self.tg.messages(CHAT)) >= before + expect_new
            )
        )
        return self.tg.messages(CHAT)[before:]


@pytest.fixture
async def telegram(sqlite_url, test_kb):
    async with FakeTelegram() as tg:
        settings = make_settings(sqlite_url, TELEGRAM_BOT_TOKEN=tg.token, TELEGRAM_API_BASE=tg.base_url)
        core = await make_app(settings, test_kb)
        runtime = core.open_channels(["telegram"])[0]
        bot, channel = runtime.bot, runtime.channel
        dp = channel.dispatcher()
        polling = asyncio.create_task(dp.start_polling(bot, handle_signals=False, polling_timeout=1))
        try:
            yield Harness(tg, core, channel, runtime)
        finally:
            await dp.stop_polling()
            await asyncio.wait_for(polling, 10)
            await runtime.close()
            await core.close()


async def test_user_journey_start_menu_button_back_main_menu_stale_forget(telegram, caplog):
    caplog.set_level(logging.DEBUG)
    h, tg = telegram, telegram.tg
    notice, menu = await h.say("/start", expect=2)
    assert "Тестової громади" in notice.text and notice.reply_markup is None
    assert menu.text.startswith("Головне меню")
    assert [b["text"] for b in menu.buttons()][0] == "Знайти послугу 🔎"

    (find,) = await h.press(menu, "Знайти послугу")
    assert "Введіть своїми словами" in find.text
    (topics,) = await h.press(find, "Послуги за темами")
    (back,) = await h.press(topics, "Назад")
    assert back.text == find.text
    (home,) = await h.press(back, "Головне меню")
    assert home.text.startswith("Головне меню")

    (stale, menu2) = await h.press(topics, "Назад", expect_new=2)  # a button from an old message
    assert "застаріло" in stale.text and menu2.text.startswith("Головне меню")

    (confirm,) = await h.say("/forget")
    (done,) = await h.press(confirm, "Так, видалити")
    assert "видалено" in done.text
    async with h.core.db.sessions() as s:
        assert await repo.find_user(s, "telegram", str(CHAT)) is None

    assert not tg.callbacks_open(), "every button press must be answered (or the spinner keeps turning)"
    assert not [e for e in tg.errors if e[1] != 429], tg.errors
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name != "aiohttp.access")  # not the fake's log
    assert tg.token.split(":")[1] not in ours


async def test_search_card_and_checklist_ticks_edit_the_message_in_place(telegram):
    h = telegram
    await h.say("/start", expect=2)
    (results,) = await h.say("субсидія")
    (card,) = await h.press(results, "Призначення житлової субсидії")
    assert "Документи:" in card.text and "https://" not in card.text
    assert any(b.get("url") == "https://diia.gov.ua/" for b in card.buttons())
    (checklist,) = await h.press(card, "Список документів")
    assert "Зібрано 0 з 2" in checklist.text
    assert await h.press(checklist, "☐ Заява", expect_new=0) == []
    assert checklist.edits == 1 and "Зібрано 1 з 2" in checklist.text
    assert "☑ Заява" in [b["text"] for b in checklist.buttons()][0]
    for b in checklist.buttons():
        assert len(b.get("callback_data", "").encode()) <= 64


async def test_a_conditional_checklist_is_answered_and_ticked_in_one_message(telegram):
    h = telegram
    await h.say("/start", expect=2)
    (card,) = await h.say("/start svc_id-card")
    (question,) = await h.press(card, "Список документів")
    assert "Для чого паспорт?" in question.text
    assert await h.press(question, "Обмін", expect_new=0) == []  # the question becomes the list in place
    assert "Зібрано 0 з 2" in question.text
    assert await h.press(question, "Не стосується мене", expect_new=0) == []
    assert question.edits == 2 and "Зібрано 0 з 1" in question.text
    (done,) = await h.press(question, "☐ Паспорт, який обмінюєте")  # edited in place, plus where to go
    assert question.edits == 3 and "Зібрано 1 з 1" in question.text
    assert "Усі потрібні документи готові" in done.text and "вул. Тестова, 1" in done.text
    for b in question.buttons():
        assert len(b.get("callback_data", "").encode()) <= 64
    assert not h.tg.callbacks_open()


async def test_cnap_questions_are_answered_from_the_offices_data(telegram):
    h = telegram
    await h.say("/start", expect=2)
    for question, first in QUESTIONS:
        (answer,) = await h.say(question)
        assert_office_answer(answer.text, first)
        assert "Головне меню 🏠" in [b["text"] for b in answer.buttons()]


async def test_long_replies_are_split_within_the_limit_keyboard_on_the_last_part(telegram):
    h, tg = telegram, telegram.tg
    await h.say("/start", expect=2)
    paragraph = "Документ " + "дуже " * 150 + "важливий.\n\n"
    reply = Reply(paragraph * 12, [[Button("OK", "menu")]])
    assert len(reply.text) > 2 * 4096
    assert (await h.runtime.sender.send(str(CHAT), [reply])).status == "sent"
    parts = tg.messages(CHAT)[-3:]
    assert all(len(m.text) <= 4096 for m in parts)
    assert [m.reply_markup is not None for m in parts] == [False, False, True]
    assert "".join(m.text for m in parts).replace("\n", "") == reply.text.strip().replace("\n", "")


async def test_rate_limit_429_is_waited_out_and_nothing_is_lost_or_repeated(sqlite_url, test_kb):
    """Telegram is stricter than the bot thinks (2 a second, no burst): the 429s are waited out with the
    answer in hand, and it resumes at the part that was refused."""
    async with FakeTelegram(chat_rate=2.0, chat_burst=1.0) as tg:
        settings = make_settings(sqlite_url, TELEGRAM_BOT_TOKEN=tg.token, TELEGRAM_API_BASE=tg.base_url)
        core = await make_app(settings, test_kb)
        runtime = core.open_channels(["telegram"])[0]
        tg.start_chat(CHAT)
        try:
            async with core.db.sessions() as s, s.begin():
                await repo.get_or_create_user(s, "telegram", str(CHAT))
            await core.queue_replies("telegram", str(CHAT), [Reply(f"повідомлення {n}") for n in range(3)], {})
            assert await core.delivery_worker([runtime.sender]).run_once() == 1
        finally:
            await runtime.close()
            await core.close()
    assert [m.text for m in tg.messages(CHAT)] == [f"повідомлення {n}" for n in range(3)]
    assert any(code == 429 for _, code, _ in tg.errors)


async def test_blocked_user_is_marked_and_not_messaged_again(telegram):
    h, tg = telegram, telegram.tg
    await h.say("/start", expect=2)
    update = tg.text_update(CHAT, "/help")
    tg.block(CHAT)  # blocks the bot right after writing: the answer meets the 403

    async def blocked() -> bool:
        async with h.core.db.sessions() as s:
            return (await repo.find_user(s, "telegram", str(CHAT))).blocked_at is not None

    await tg.deliver_update(update)
    await eventually(blocked, True)
    async with h.core.db.sessions() as s:
        user = await repo.find_user(s, "telegram", str(CHAT))
    sent_before = len(tg.requests)
    async with h.core.db.sessions() as s, s.begin():  # a notification queued for them later…
        await outbox.enqueue(s, user_id=user.id, channel="telegram", kind="text", payload={"text": "нагадування"}, key="n1")
    assert await h.core.delivery_worker([h.runtime.sender]).run_once() == 1
    assert len(tg.requests) == sent_before  # …is not even tried
    # Writing to the bot again unblocks.
    await h.say("/menu")
    async with h.core.db.sessions() as s:
        assert (await repo.find_user(s, "telegram", str(CHAT))).blocked_at is None


async def test_the_fake_is_strict_like_telegram(telegram):
    """Guard the guard: the fake must reject what Telegram rejects, or the tests above prove little."""
    h = telegram
    await h.say("/start", expect=2)
    bot = h.channel.bot
    too_long = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="x", callback_data="ї" * 33)]])
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot(SendMessage(chat_id=CHAT, text="x", reply_markup=too_long))
    with pytest.raises(TelegramBadRequest, match="too long"):
        await bot(SendMessage(chat_id=CHAT, text="я" * 4097))
    with pytest.raises(TelegramBadRequest, match="empty"):
        await bot(SendMessage(chat_id=CHAT, text=" "))
    with pytest.raises(ValueError, match="64 bytes"):
        keyboard(Reply("x", [[Button("x", "ї" * 33)]]))


async def test_webhook_checks_the_secret_token(sqlite_url, test_kb):
    async with FakeTelegram() as tg:
        settings = make_settings(
            sqlite_url,
            TELEGRAM_BOT_TOKEN=tg.token,
            TELEGRAM_API_BASE=tg.base_url,
            TELEGRAM_WEBHOOK_SECRET="s3cret-Token_1",
            PUBLIC_URL="https://bot.example.gov.ua",
        )
        core = await make_app(settings, test_kb)
        app = core.web_app(core.open_channels(["telegram"]))
        runner = aiohttp.web.AppRunner(app)
        await runner.setup()
        site = aiohttp.web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        url = f"http://127.0.0.1:{port}{WEBHOOK_PATH}"
        tg.start_chat(CHAT)
        update = {
            "update_id": 1,
            "message": {
                "message_id": 1,
                "date": 0,
                "chat": {"id": CHAT, "type": "private"},
                "from": {"id": CHAT, "is_bot": False, "first_name": "T", "language_code": "uk"},
                "text": "/start",
            },
        }
        try:
            assert tg.webhook_url == "https://bot.example.gov.ua" + WEBHOOK_PATH
            async with aiohttp.ClientSession() as http:
                forged = await http.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"})
                assert forged.status == 401
                missing = await http.post(url, data=json.dumps(update), headers={"Content-Type": "application/json"})
                assert missing.status == 401
                ok = await http.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-Token_1"})
                assert ok.status == 200
                await tg.wait_messages(CHAT, 2)
                health = await http.get(f"http://127.0.0.1:{port}/healthz")
                assert (await health.json()) == {"ok": True}
        finally:
            await runner.cleanup()  # waits for updates still being handled
            await core.close()
    # Exactly the two answers to the one genuine update: the forged ones were never processed.
    assert len(tg.messages(CHAT)) == 2
    assert tg.messages(CHAT)[-1].text.startswith("Головне меню")


async def test_users_are_kept_apart_per_chat(telegram):
    h, tg = telegram, telegram.tg
    await h.say("/start", expect=2)
    await tg.user_sends(2002, "/start", lang="en")
    await tg.wait_messages(2002, 2)
    assert tg.messages(2002)[-1].text.startswith("Main menu")
    async with h.core.db.sessions() as s:
        from sqlalchemy import func, select

        assert (await s.execute(select(func.count()).select_from(User))).scalar_one() == 2


async def test_a_sticker_or_photo_gets_a_friendly_answer(telegram):
    h, tg = telegram, telegram.tg
    await h.say("/start", expect=2)
    before = len(tg.messages(CHAT))
    await tg.deliver_update(tg.media_update(CHAT, "sticker"))
    notice, menu = (await tg.wait_messages(CHAT, before + 2))[before:]
    assert "лише текст" in notice.text and menu.text.startswith("Головне меню")


async def test_photos_voice_and_locations_are_translated_and_a_location_can_be_asked_for(sqlite_url, test_kb):
    from bot.app import FEATURES
    from tests.location_feature import WHERE

    async with FakeTelegram(chat_rate=10.0, chat_burst=10.0) as tg:
        settings = make_settings(sqlite_url, TELEGRAM_BOT_TOKEN=tg.token, TELEGRAM_API_BASE=tg.base_url)
        core = await make_app(settings, test_kb, features=[*FEATURES, WHERE])
        try:
            async with telegram_running(core, delivery=False):
                await tg.user_sends(CHAT, "/start")
                await tg.wait_messages(CHAT, 2)
                for kind in ("photo", "voice"):
                    n = len(tg.messages(CHAT))
                    await tg.deliver_update(tg.media_update(CHAT, kind))
                    assert "лише текст" in (await tg.wait_messages(CHAT, n + 2))[n].text
                n = len(tg.messages(CHAT))
                await tg.user_sends(CHAT, "/where")
                ask, keyboard_msg = (await tg.wait_messages(CHAT, n + 2))[n:]
                assert ask.text.startswith("Де ви?") and ask.buttons()  # Main menu stays inline
                (row,) = keyboard_msg.reply_markup["keyboard"]
                assert row == [{"text": "📍 Надіслати місцезнаходження", "request_location": True}]
                await tg.deliver_update(tg.location_update(CHAT, 50.4501, 30.5234))
                assert (await tg.wait_messages(CHAT, n + 3))[-1].text == "Ви тут: 50.4501, 30.5234"
        finally:
            await core.close()
    assert not tg.errors, tg.errors
