"""Conversation flows on the core: no channel involved, real SQLite database."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from bot.core import payloads
from bot.features.services.models import SearchMiss
from storage import people as repo
from storage.models import User
from tests.chat import Chat
from tests.conftest import make_app, make_settings

MENU_ITEMS_UK = ["Знайти послугу", "Мої списки документів", "Статус заяви", "Залишити відгук", "Мова", "Допомога"]


async def test_first_contact_shows_privacy_notice_then_main_menu_in_ukrainian(core):
    chat = Chat(core)
    replies = await chat.start()
    assert len(replies) == 2
    notice, menu = replies
    assert "Тестової громади" in notice.text
    assert "/forget" in notice.text and "не просимо" in notice.text.lower()
    assert menu.text.startswith("Головне меню")
    labels = " ".join(chat.labels)
    for item in MENU_ITEMS_UK:
        assert item in labels
    # The notice is shown once only.
    again = await chat.start()
    assert len(again) == 1 and again[0].text.startswith("Головне меню")


async def test_every_main_menu_item_answers_with_a_way_back(core):
    chat = Chat(core)
    await chat.start()
    menu = chat.last
    for item in MENU_ITEMS_UK:
        await chat.press_payload(chat.button(item, menu).payload)
        assert chat.text.strip(), item
        assert "застаріло" not in chat.text, item
        assert any("Головне меню" in label for label in chat.labels), item
        await chat.start()
        menu = chat.last


async def test_back_and_main_menu_navigate_the_screen_stack(core):
    chat = Chat(core)
    await chat.start()
    await chat.press("Знайти послугу")
    await chat.press("Послуги за темами")
    await chat.press("Соціальні виплати")
    category_text = chat.text
    await chat.press("субсидії")
    assert "Призначення житлової субсидії" in chat.text and "Документи:" in chat.text
    await chat.press("Назад")
    assert chat.text == category_text
    await chat.press("Назад")
    assert chat.text.startswith("Оберіть тему")
    await chat.press("Головне меню")
    assert chat.text.startswith("Головне меню")
    assert "Назад" not in " ".join(chat.labels)  # nothing to go back to from the main menu


async def test_stale_and_malformed_buttons_get_a_friendly_answer_and_the_menu(core):
    chat = Chat(core)
    await chat.start()
    await chat.send("/forget")
    confirm = chat.button("Так, видалити")
    await chat.press("Ні, залишити")  # the flow moves on
    await chat.press_payload(confirm.payload)  # a button from an older message
    assert "застаріло" in chat.text and "Головне меню" in chat.text
    async with core.db.sessions() as s:  # and nothing was deleted
        assert await repo.find_user(s, "console", "u1") is not None
    for junk in ["", "nonsense-action", "svc", "svc:no-such-service", "cl:id-card:extra:args", "x" * 300, "тиск:1", "back~zz"]:
        await chat.press_payload(junk)
        assert "застаріло" in chat.text, junk
        assert chat.text.count("Головне меню") == 1


async def test_state_survives_a_restart(sqlite_url, test_kb):
    core1 = await make_app(make_settings(sqlite_url), test_kb)
    chat = Chat(core1)
    await chat.start()
    await chat.press("Знайти послугу")
    await chat.press("Послуги за темами")
    back_payload = chat.button("Назад").payload
    await core1.close()

    core2 = await make_app(make_settings(sqlite_url), test_kb)  # "restart"
    chat2 = Chat(core2)
    await chat2.press_payload(back_payload)
    assert "Оберіть тему" not in chat2.text and "застаріло" not in chat2.text
    assert "Введіть своїми словами" in chat2.text  # back on the Find screen
    await core2.close()


async def test_language_is_stored_and_used(sqlite_url, test_kb):
    core = await make_app(make_settings(sqlite_url), test_kb)
    chat = Chat(core, lang="en")  # the platform's hint is only a first guess...
    await chat.start()
    assert chat.last[-1].text.startswith("Main menu")
    await chat.send("/language")
    await chat.press("Українська")
    assert "українською" in chat.text
    chat.lang = "en"  # ...the stored choice wins over later hints
    await chat.send("/menu")
    assert chat.text.startswith("Головне меню")
    async with core.db.sessions() as s:
        assert (await repo.find_user(s, "console", "u1")).lang == "uk"
    await core.close()


async def test_russian_speaking_users_get_ukrainian_by_default(core):
    chat = Chat(core, lang="ru")
    await chat.start()
    assert chat.last[-1].text.startswith("Головне меню")


async def test_unknown_command_and_help(core):
    chat = Chat(core)
    await chat.start()
    await chat.send("/frobnicate")
    assert "не знаю такої команди" in chat.text
    assert "/forget" in chat.text and "вул. Тестова, 1" in chat.text


async def test_search_by_free_text_and_honest_miss_recorded_without_identity(core):
    chat = Chat(core, user="searcher-42")
    await chat.start()
    await chat.send("субсидія")
    assert "Призначення житлової субсидії" in " ".join(chat.labels)
    await chat.press("субсидії")
    assert "Хто може отримати" in chat.labels
    await chat.send("щжхзщшгнекуцй квазіщось")
    assert "цього я не знаю" in chat.text
    assert "вул. Тестова, 1" in chat.text  # the offline route
    assert any("Послуги за темами" in label for label in chat.labels)
    async with core.db.sessions() as s:
        misses = list((await s.execute(select(SearchMiss))).scalars())
    assert [m.query for m in misses] == ["щжхзщшгнекуцй квазіщось"]
    assert "searcher-42" not in repr([vars(m) for m in misses])


async def test_overlong_text_is_answered_not_lost(core):
    chat = Chat(core)
    await chat.start()
    await chat.send("субсидія " * 2000)  # the app is built with raise_errors: a crash fails the test
    assert any("житлової субсидії" in label for label in chat.labels)  # an answer, not an apology


async def test_deep_link_opens_a_service_card_and_unknown_links_are_friendly(core):
    chat = Chat(core, user="linked")
    replies = await chat.start("svc_housing-subsidy")
    assert "Призначення житлової субсидії" in replies[-1].text
    assert "Тестової громади" in replies[0].text  # privacy notice still first for a new user
    await chat.press("Назад")
    assert chat.text.startswith("Головне меню")
    await chat.start("svc_no-such-service")
    assert "посилання застаріло" in chat.text.lower()
    for bad in ["zz_whatever", "svc_id-card" + "x" * 60, "svc_id card", "svc_субсидія"]:
        await chat.start(bad)
        assert "посилання застаріло" in chat.text.lower(), bad


async def test_social_worker_items_only_for_workers(core):
    chat = Chat(core, user="worker")
    await chat.start()
    assert not any("клієнти" in label for label in chat.labels)
    async with core.db.sessions() as s, s.begin():
        user = await repo.find_user(s, "console", "worker")
        await repo.grant_role(s, user.id, "social_worker")
    await chat.send("/menu")
    assert any("клієнти" in label for label in chat.labels)
    citizen = Chat(core, user="citizen")
    await citizen.start()
    await citizen.press_payload(payloads.encode("clients"))
    assert "застаріло" in citizen.text  # a citizen cannot reach worker screens


async def test_concurrent_events_for_one_person_are_serialised(core):
    chat = Chat(core)
    await chat.start()
    await asyncio.gather(*(chat.send("/help") for _ in range(10)))
    async with core.db.sessions() as s:
        user = await repo.find_user(s, "console", "u1")
        conv = await repo.load_state(s, user.id, lock=False)
    assert conv.state["screen"] == 11  # one step per event, none lost


async def test_english_is_complete_for_the_main_menu(sqlite_url, test_kb):
    core = await make_app(make_settings(sqlite_url, BOT_DEFAULT_LANG="en"), test_kb)
    chat = Chat(core, lang="en")
    await chat.start()
    assert "Find a service" in " ".join(chat.labels)
    async with core.db.sessions() as s:
        assert (await s.execute(select(User.lang))).scalar_one() == "en"
    await core.close()
