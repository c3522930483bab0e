"""Free text on the bot: intents first, then the search's verdict (found / clarify / maybe / none), said honestly."""

from __future__ import annotations

import logging
import random
import unicodedata

import pytest
from sqlalchemy import select

from bot.features.services.models import SearchMiss
from bot.features.status import store as apps
from tests.chat import Chat
from tests.cnap_questions import ADDRESS, HOURS, PHONE, QUESTIONS, assert_office_answer

KEY = b"test-secret-key"


def opens_a_service(chat: Chat) -> list[str]:
    """Labels of buttons that open a service card or a life situation (or page through results)."""
    return [b.label for r in chat.last for b in r.all_buttons()
            if b.payload and b.payload.split(":")[0].split("~")[0] in ("svc", "sit", "more")]


def unprintable(text: str) -> list[str]:
    return [repr(ch) for ch in text if ch != "\n" and unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn")]


async def misses(core) -> list[str]:
    async with core.db.sessions() as s:
        return list((await s.execute(select(SearchMiss.query).order_by(SearchMiss.id))).scalars())


def our_logs(caplog) -> str:
    """What the bot's own loggers wrote (a driver's DEBUG trace of SQL parameters is not ours)."""
    return "\n".join(r.getMessage() for r in caplog.records if r.name.split(".")[0] in ("bot", "knowledge", "storage", "root"))


def random_junk(n: int, seed: int = 7) -> str:
    """Random code points from the first planes: letters, symbols, control characters, escapes."""
    rng = random.Random(seed)
    return "".join(chr(rng.randrange(0, 0x3000)) for _ in range(n))


JUNK = [
    "1",
    "-1",
    "<script>alert(1)</script>",
    "\x1b[31m\x1b[1mЧЕРВОНИЙ\x1b[0m\x07\x00\x08 \x1b]0;title\x07 \u202eцнап\u202c",
    "\x00\x01\x02\x1b[2J",
    random_junk(10_000),
    "ъ" * 10_000,
]


@pytest.mark.parametrize("junk", JUNK, ids=["one", "minus-one", "script", "ansi", "controls", "random-10k", "ъ-10k"])
async def test_junk_never_shows_a_service_and_never_echoes_or_stores_escapes(real_core, junk, caplog):
    caplog.set_level(logging.DEBUG)
    chat = Chat(real_core)
    await chat.start()
    await chat.send(junk)
    assert opens_a_service(chat) == [], chat.text
    assert "Ось що я знайшов" not in chat.text and "Що саме вам потрібно" not in chat.text
    assert unprintable(chat.text) == [] and "\x1b" not in chat.text
    assert len(chat.text) < 1500  # the answer quotes a short excerpt, never the message
    assert chat.last[-1].text.startswith("Головне меню") or any("Головне меню" in label for label in chat.labels)
    for stored in await misses(real_core):
        assert unprintable(stored) == [] and len(stored) <= 200
    logged = our_logs(caplog)
    assert "\x1b" not in logged and (len(junk) < 20 or junk[:40] not in logged)


async def test_an_unknown_question_gets_an_honest_answer_with_the_cnap_and_topics(real_core, caplog):
    caplog.set_level(logging.DEBUG)
    chat = Chat(real_core, user="searcher-42")
    await chat.start()
    await chat.send("рецепт борщу, мій телефон 0501112233, пошта ivan.petrenko@ukr.net")
    assert "не знаю" in chat.text and "«рецепт борщу, мій телефон" in chat.text
    assert "Ось що я знайшов" not in chat.text
    assert "вул. Соборна, 1" in chat.text and "Телефон:" in chat.text  # the offline route
    assert opens_a_service(chat) == []
    assert any("Послуги за темами" in label for label in chat.labels)
    stored = await misses(real_core)
    assert len(stored) == 1 and stored[0].startswith("рецепт борщу")
    assert "0501112233" not in stored[0] and "ukr.net" not in stored[0] and "[phone]" in stored[0]
    logged = our_logs(caplog)
    assert "борщ" not in logged and "0501112233" not in logged  # the raw text is never logged
    await chat.press("Послуги за темами")
    await chat.press("Назад")  # back to the honest answer: shown again, not stored twice
    assert "не знаю" in chat.text
    assert len(await misses(real_core)) == 1


async def test_found_results_say_so_and_quote_only_an_excerpt(real_core):
    chat = Chat(real_core)
    await chat.start()
    await chat.send("прошу допомогти з субсидією на комуналку " * 250)  # ~10,000 characters
    assert chat.text.startswith("Ось що я знайшов за запитом «прошу допомогти з субсидією")
    quoted = chat.text.split("«", 1)[1].split("»", 1)[0]
    assert len(quoted) <= 60 and quoted.endswith("…")
    assert "субсиді" in opens_a_service(chat)[0].lower()
    assert await misses(real_core) == []


async def test_close_services_get_one_question_with_the_candidates_as_buttons(real_core):
    chat = Chat(real_core)
    await chat.start()
    await chat.send("квартирний облік")
    assert chat.text.startswith("Що саме вам потрібно?")
    assert "Ось що я знайшов" not in chat.text
    candidates = opens_a_service(chat)
    assert len(candidates) == 2 and all("квартирн" in c.lower() for c in candidates), candidates
    question = chat.text
    await chat.press(candidates[0])
    assert chat.text.startswith("📄")
    await chat.press("Назад")
    assert chat.text == question
    assert await misses(real_core) == []


async def test_a_maybe_says_it_is_not_sure_and_offers_the_candidates_beside_the_cnap(real_core):
    chat = Chat(real_core)
    await chat.start()
    text = "рецепт пирога"  # a word of a card among words of none: offered as a question, not as found
    assert real_core.services.search.answer(text).verdict == "maybe"
    await chat.send(text)
    assert chat.text.startswith("Я не впевнений, що правильно зрозумів «рецепт пирога»")
    assert "Ось що я знайшов" not in chat.text and "Що саме вам потрібно" not in chat.text
    assert "вул. Соборна, 1" in chat.text and "Телефон:" in chat.text  # the way out: the offline route
    candidates = opens_a_service(chat)
    assert 1 <= len(candidates) <= 3 and "рецепт" in candidates[0].lower(), candidates
    assert any("Послуги за темами" in label for label in chat.labels)
    question = chat.text
    await chat.press(candidates[0])
    assert chat.text.startswith("📄")
    await chat.press("Назад")
    assert chat.text == question
    assert await misses(real_core) == ["рецепт пирога"]  # staff see what the bot was not sure of, once


async def test_an_application_number_typed_anywhere_offers_the_lookup_which_asks_only_the_secret(core):
    async with core.db.sessions() as s, s.begin():
        upd = apps.ApplicationUpdate(number="ЦН-2026-00124", status="ready", secret="4821", service_id="id-card")
        await apps.upsert(s, upd, "test", core.settings.secret_key_bytes())
    chat = Chat(core)
    await chat.start()
    await chat.send("Добрий день, що там з моєю заявою ЦН-2026-00124?")
    assert "ЦН-2026-00124" in chat.text and opens_a_service(chat) == []
    offer = chat.button("Перевірити заяву")
    assert offer.payload == "stfind:" + apps.number_to_payload("ЦН-2026-00124").removeprefix("app_")
    await chat.press("Перевірити заяву")
    assert "Заява № ЦН-2026-00124" in chat.text and "останні 4 цифри" in chat.text
    assert "Введіть номер заяви" not in chat.text
    await chat.send("4821")
    assert "Статус: Готово" in chat.text
    assert await misses(core) == []


async def test_asking_about_an_application_without_its_number_opens_the_lookup(core):
    chat = Chat(core)
    await chat.start()
    await chat.send("Доброго дня, чи готові мої документи?")
    assert "Введіть номер заяви" in chat.text and opens_a_service(chat) == []
    assert await misses(core) == []


async def test_a_question_typed_where_the_number_is_awaited_is_answered_not_taken_for_a_number(core):
    chat = Chat(core)
    await chat.start()
    await chat.press("Статус заяви")
    assert "Введіть номер заяви" in chat.text
    await chat.send("а куди йти?")  # no digit: not a number
    assert "Заява №" not in chat.text
    assert_office_answer(chat.text, ADDRESS)
    await chat.press("Головне меню")
    await chat.press("Статус заяви")
    await chat.send("ЦН-2026-77777")  # a number is still taken as one
    assert "Заява № ЦН-2026-77777" in chat.text


def test_a_number_too_long_for_a_button_is_not_put_in_one():
    from bot.features.services.search import lookup_argument

    assert lookup_argument("ЦН-2026-00124") == apps.number_to_payload("ЦН-2026-00124").removeprefix("app_")
    assert lookup_argument("Ц" * 30) is None  # 60 bytes of UTF-8: its base64 does not fit in 64 bytes


@pytest.mark.parametrize(("text", "first"), [*QUESTIONS, ("контакти", ADDRESS)])
async def test_cnap_questions_get_the_office_with_the_asked_part_first(core, text, first):
    chat = Chat(core)
    await chat.start()
    await chat.send(text)
    assert_office_answer(chat.last[0].text, first)
    assert opens_a_service(chat) == [] and "не знаю" not in chat.text
    assert any("Головне меню" in label for label in chat.labels)
    assert await misses(core) == []


async def test_a_cnap_question_that_names_a_service_gets_both(core):
    chat = Chat(core)
    await chat.start()
    await chat.send("графік роботи цнапу, хочу подати на субсидію")
    assert_office_answer(chat.last[0].text, HOURS)
    assert chat.last[-1].text == "Ви також питали про:"
    assert opens_a_service(chat) == ["Призначення житлової субсидії"]
    await chat.press("Призначення житлової субсидії")
    assert chat.last[0].text.startswith("📄 Призначення житлової субсидії")


async def test_what_can_you_do_gets_the_capabilities_with_buttons_to_the_main_things(core):
    chat = Chat(core)
    await chat.start()
    await chat.send("що ви вмієте?")
    assert chat.text.startswith("Що я вмію")
    assert "список документів" in chat.text and "статус" in chat.text
    labels = " ".join(chat.labels)
    for main in ("Знайти послугу", "Мої списки документів", "Статус заяви", "Головне меню"):
        assert main in labels
    await chat.press("Знайти послугу")
    assert "Введіть своїми словами" in chat.text


async def test_asking_for_a_person_says_plainly_it_is_a_bot_and_how_to_reach_one(core):
    chat = Chat(core)
    await chat.start()
    await chat.send("з'єднайте з оператором")
    intro, office = chat.last[0].text.split("\n\n", 1)
    assert "не людина" in intro
    assert_office_answer(office, PHONE)


async def test_greetings_and_thanks_come_from_the_engine(core):
    chat = Chat(core)
    await chat.start()
    for text, answer in [("Доброго ранку!", "Вітаю! Чим можу допомогти?"), ("Дякую вам велике!", "Будь ласка!"),
                         ("hi", "Вітаю!"), ("спс", "Будь ласка!")]:
        await chat.send(text)
        assert chat.text.startswith(answer), text
        assert "Головне меню" in chat.text
    assert await misses(core) == []
