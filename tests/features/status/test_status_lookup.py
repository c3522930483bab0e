"""The status lookup as people use it (issue 12, items 11–12) and guessing limits that hold (issue 11, finding 5)."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from sqlalchemy import select

from bot.core.clock import ManualClock
from bot.features.status import limits
from bot.features.status import store as apps
from bot.features.status.models import LookupLimit
from tests.chat import Chat
from tests.conftest import make_app, make_settings

KEY = b"test-secret-key"
NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
async def clock():
    return ManualClock(NOW)


@pytest.fixture
async def score(db_url, test_kb, clock):
    core = await make_app(make_settings(db_url, BOT_SECRET_KEY=KEY.decode()), kb=test_kb, clock=clock)
    yield core
    await core.close()


async def put(core, number, status="received", secret="2233", **kw):
    async with core.db.sessions() as s, s.begin():
        return await apps.upsert(s, apps.ApplicationUpdate(number=number, status=status, secret=secret, **kw), "test", KEY)


async def ask(chat: Chat, number: str) -> None:
    await chat.send("/status")
    if any("іншу" in label for label in chat.labels):
        await chat.press("іншу")
    await chat.send(number)


# --- forgiving input (issue 12, item 11) --------------------------------------------------------


async def test_a_full_phone_number_is_accepted_as_its_last_four_digits(score):
    await put(score, "ЦН-2026-00124")
    chat = Chat(score)
    for typed in ("+380501112233", "050 111-22-33", "(050) 111 22 33"):
        await chat.send("/start")
        await ask(chat, "ЦН-2026-00124")
        await chat.send(typed)
        assert "Отримано" in chat.text, typed
        await chat.press("Прибрати")


async def test_latin_look_alikes_in_the_number_are_found(score):
    await put(score, "ЦН-2026-00124")
    for typed in ("CN-2026-00124", "CH 2026 00124", "cn-2026-00124", "ЦN-2026-00124"):
        async with score.db.sessions() as s:
            assert (await apps.find(s, typed)) is not None, typed


async def test_after_a_wrong_code_the_number_is_kept_and_what_was_typed_is_named(score):
    await put(score, "ЦН-2026-00124")
    chat = Chat(score)
    await chat.start(apps.number_to_payload("ЦН-2026-00124"))
    await chat.send("9999")
    assert "останніми 4 цифрами телефону" in chat.text and "кодом" not in chat.text
    assert "ЦН-2026-00124" in chat.text
    await chat.send("2233")  # the digits again: still the code of the same application, not a new number
    assert "Отримано" in chat.text and "ЦН-2026-00124" in chat.text


async def test_a_number_typed_at_the_code_prompt_is_taken_as_the_new_number(score):
    await put(score, "ЦН-2026-00125")
    chat = Chat(score)
    await ask(chat, "ЦН-2026-00124")
    await chat.send("ЦН-2026-00125")
    assert "ЦН-2026-00125" in chat.text and "останні 4 цифри" in chat.text
    await chat.send("2233")
    assert "Отримано" in chat.text


async def test_the_last_attempt_before_a_pause_is_announced(score):
    await put(score, "A-2", secret="1111")
    chat = Chat(score)
    await ask(chat, "A-2")
    texts = []
    for n in range(5):
        await chat.send(f"{5000 + n}")
        texts.append(chat.text)
    assert "ще одна спроба" not in texts[2]
    assert "ще одна спроба" in texts[3]  # four wrong: one left, and the person is told so
    assert "Забагато невдалих спроб" in texts[4] and "15 хвилин" in texts[4]
    await chat.send("1111")  # paused: even the right code is not checked now
    assert "Отримано" not in chat.text


async def test_stfind_fills_the_number_in_and_back_returns_to_the_screen_before(score):
    await put(score, "ЦН-2026-00124")
    chat = Chat(score)
    await chat.send("/help")
    encoded = apps.number_to_payload("ЦН-2026-00124").removeprefix("app_")
    await chat.press_payload(f"stfind:{encoded}")
    assert "ЦН-2026-00124" in chat.text and "останні 4 цифри" in chat.text
    await chat.press("Назад")
    assert "Що я вмію" in chat.text  # the screen the button was pressed on
    await chat.press_payload(f"stfind:{encoded}")
    await chat.send("0000")
    await chat.send("2233")
    assert "Отримано" in chat.text
    await chat.press_payload("stfind:%%%")
    assert "застаріло" in chat.text


# --- limits that hold (issue 11, finding 5) --------------------------------------------------


async def test_other_peoples_guesses_delay_the_owner_but_never_lock_them_out(score, clock):
    await put(score, "B-2", secret="1111")
    for n in range(limits.NUMBER_FREE + 2):
        guesser = Chat(score, user=f"bot-{n}")
        await ask(guesser, "B-2")
        await guesser.send(f"{9000 + n}")
    owner = Chat(score, user="real-owner")
    await ask(owner, "B-2")
    await owner.send("1111")
    assert "Забагато" in owner.text or "Спробуйте" in owner.text
    clock.advance(dt.timedelta(minutes=15))  # the longest delay
    await owner.send("1111")
    assert "Отримано" in owner.text


async def test_the_personal_limit_survives_forget(score):
    await put(score, "C-3", secret="1111")
    chat = Chat(score, user="forgetful")
    await ask(chat, "C-3")
    for n in range(5):
        await chat.send(f"{7000 + n}")
    await chat.send("/forget")
    await chat.press("Так, видалити")
    await chat.start()
    await ask(chat, "C-3")
    await chat.send("1111")
    assert "Забагато невдалих спроб" in chat.text


async def test_an_overall_cap_per_person_across_numbers(score, clock):
    for n in range(6):
        await put(score, f"D-{n}", secret="1111")
    chat = Chat(score, user="sprayer")
    checked = 0
    for n in range(6):
        for m in range(4):
            await ask(chat, f"D-{n}")
            await chat.send(f"{8000 + m}")
            checked += "не знайшов" in chat.text
            clock.advance(dt.timedelta(minutes=1))
    assert checked == limits.PERSON_FAILURES == 20  # wrong codes across numbers in a day, then a pause
    await ask(chat, "D-5")
    await chat.send("1111")
    assert "Забагато" in chat.text


async def test_concurrent_guesses_on_postgres_check_only_the_allowance(postgres_url, test_kb):
    """50 guesses at one number at once from 50 chats, two processes: exactly the free allowance is checked."""
    clock = ManualClock(NOW)
    a = await make_app(make_settings(postgres_url, BOT_SECRET_KEY=KEY.decode()), kb=test_kb, clock=clock)
    b = await make_app(make_settings(postgres_url, BOT_SECRET_KEY=KEY.decode()), kb=test_kb, clock=clock, migrate=False)
    try:
        await put(a, "E-5", secret="1111")
        chats = [Chat(a if n % 2 else b, user=f"g{n}") for n in range(50)]
        for chat in chats:
            await ask(chat, "E-5")
        await asyncio.gather(*(chat.send(f"{6000 + n}") for n, chat in enumerate(chats)))
        checked = sum("не знайшов" in chat.text for chat in chats)
        paused = sum("не знайшов" not in chat.text and "Спробуйте ще раз через" in chat.text for chat in chats)
        assert (checked, paused) == (limits.NUMBER_FREE, 50 - limits.NUMBER_FREE)
        async with a.db.sessions() as s:
            row = (await s.execute(select(LookupLimit).where(LookupLimit.key.like("n:%")))).scalar_one()
            assert row.failures == limits.NUMBER_FREE
    finally:
        await a.close()
        await b.close()
