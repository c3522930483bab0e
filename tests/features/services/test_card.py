"""The service card on the bot: a short first screen, then who / details / the document list behind buttons."""

from __future__ import annotations

import re

from bot.core import payloads
from bot.i18n import Translator
from knowledge.card import first_screen
from tests.chat import Chat

RAW_URL = re.compile(r"https?://|www\.|\.gov\.ua|\.com\b|\.org\b", re.IGNORECASE)


def has_nav(chat: Chat) -> bool:
    return any("Головне меню" in label for label in chat.labels) and any("Назад" in label for label in chat.labels)


async def test_the_first_screen_is_short_and_the_rest_is_behind_buttons(core, test_kb):
    chat = Chat(core)
    await chat.start("svc_housing-subsidy")
    svc = test_kb.services["housing-subsidy"]
    card = chat.last[-1].text
    reach = "\nТелефон: +380 00 000 00 01\nГрафік роботи: Пн–Пт 8:00–17:00"
    assert reach in card  # the offline route in full, under the address
    assert card.replace(reach, "") == "📄 " + first_screen(svc, test_kb, "uk", Translator("uk"))
    assert "Документи:\n• Заява\n• Декларація про доходи\n• Довіреність — за бажанням" in card
    assert "Куди звернутися: ЦНАП тестової громади, вул. Тестова, 1" in card
    assert "Сім'ї, які витрачають" not in card and "Правова підстава" not in card  # behind buttons
    assert len(card) < 700
    labels = chat.labels
    assert labels[:3] == ["Список документів ✅", "Хто може отримати", "Подробиці та законодавство"]
    online = [b for r in chat.last for b in r.all_buttons() if b.url]
    assert [(b.label, b.url) for b in online] == [("🌐 Портал Дія", "https://diia.gov.ua/")]
    assert "↪ Державна реєстрація народження дитини" in labels  # related
    assert has_nav(chat) and not RAW_URL.search(card)


async def test_who_can_get_it_and_details_each_have_back_and_main_menu(core):
    chat = Chat(core)
    await chat.start()
    await chat.start("svc_id-card")
    card = chat.text
    await chat.press("Хто може отримати")
    assert "Громадяни з 14 років." in chat.text and has_nav(chat)
    await chat.press("Назад")
    assert chat.text == card
    await chat.press("Подробиці та законодавство")
    details = chat.text
    assert "Закон України «Про Єдиний державний демографічний реєстр» від 20.11.2012 № 5492-VI, ст. 21" in details
    assert "• Свідоцтво про шлюб — якщо змінили прізвище. Або інший документ про зміну прізвища." in details
    assert "Перевірено 30 листопада 2026" in details and "(прочитано 30 листопада 2026" in details
    assert has_nav(chat) and not RAW_URL.search(details)
    await chat.press("Назад")
    assert chat.text == card


async def test_details_say_honestly_when_nothing_was_checked(core):
    chat = Chat(core)
    await chat.start("svc_housing-subsidy")
    await chat.press("Подробиці та законодавство")
    assert "Перевірено" not in chat.text
    assert "Ці відомості ще не звірено з офіційним джерелом — уточніть у ЦНАП." in chat.text


async def test_every_bundled_card_screen_is_free_of_raw_links_and_ends_with_navigation(real_core, real_kb):
    chat = Chat(real_core)
    await chat.start()
    for sid, svc in real_kb.services.items():
        await chat.press_payload(payloads.encode("svc", (sid,)))
        assert chat.text.startswith("📄 "), sid
        screens = {"card": chat.text}
        assert has_nav(chat), sid
        for label in ("Хто може отримати", "Подробиці та законодавство"):
            await chat.press(label)
            screens[label] = chat.text
            assert has_nav(chat), (sid, label)
            await chat.press("Назад")
        for name, text in screens.items():
            assert not RAW_URL.search(text), (sid, name, RAW_URL.search(text))
        await chat.press_payload(payloads.encode("svc", (sid,)))
        urls = [b.url for r in chat.last for b in r.all_buttons() if b.url]
        assert urls == [link.url for link in svc.online], sid  # one button per online route
        assert all(len(b.payload.encode()) <= 64 for r in chat.last for b in r.all_buttons() if b.payload)
