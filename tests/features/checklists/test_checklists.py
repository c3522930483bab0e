"""Document lists on the bot: one question for cards with paths, "не стосується мене", progress, completion."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from bot.core import payloads
from bot.core.ui import short
from bot.features.checklists.models import Checklist
from knowledge.checklist import applicable, conditional
from tests.chat import Chat
from tests.conftest import make_app, make_settings

NOT_MINE = "Не стосується мене"


async def stored(core) -> Checklist:
    async with core.db.sessions() as s:
        return (await s.execute(select(Checklist))).scalar_one()


def every_payload_fits(chat: Chat) -> bool:
    return all(len(b.payload.encode()) <= 64 for r in chat.last for b in r.all_buttons() if b.payload)


async def test_a_card_with_paths_asks_its_question_first_and_counts_only_what_applies(core):
    chat = Chat(core)
    await chat.start("svc_id-card")
    await chat.press("Список документів")
    assert "Для чого паспорт?" in chat.text and "Зібрано" not in chat.text
    assert chat.labels[:2] == ["Вперше, з 14 років", "Обмін"] and every_payload_fits(chat)
    await chat.press("Обмін")
    assert chat.last[0].edit  # the question becomes the list in place
    assert "Ваш випадок: Обмін" in chat.text and "Зібрано 0 з 2" in chat.text
    labels = chat.labels
    assert "☐ Паспорт, який обмінюєте" in labels and "☐ Свідоцтво про народження" not in labels
    assert "Свідоцтво про шлюб — якщо змінили прізвище" in chat.text  # what "not for me" refers to
    assert labels.count(f"↳ {NOT_MINE}") == 1  # only the `when` item may be skipped
    assert every_payload_fits(chat)

    await chat.press(f"↳ {NOT_MINE}")
    assert chat.last[0].edit and "Зібрано 0 з 1" in chat.text
    assert "➖ Свідоцтво про шлюб — не стосується" in chat.labels
    await chat.press("☐ Паспорт, який обмінюєте")
    assert "Зібрано 1 з 1" in chat.text and "Усі потрібні документи готові" in chat.text
    assert "вул. Тестова, 1" in chat.text and "Телефон: +380 00 000 00 01" in chat.text  # where to go
    cl = await stored(core)
    assert (cl.path, cl.not_applicable, cl.ticked) == ("exchange", ["name-change"], ["old-passport"])
    assert cl.completed_at is not None

    await chat.press("➖ Свідоцтво про шлюб")  # it applies after all
    assert "Зібрано 1 з 2" in chat.text and "готові" not in chat.text
    assert (await stored(core)).completed_at is None

    await chat.press("Змінити відповідь")  # the answer can be changed later
    assert "Для чого паспорт?" in chat.text and "✔ Обмін" in chat.labels
    await chat.press("Вперше")
    assert "Ваш випадок: Вперше, з 14 років" in chat.text and "Зібрано 0 з 2" in chat.text
    assert "☐ Свідоцтво про народження" in chat.labels and "☐ Паспорт, який обмінюєте" not in chat.labels
    assert (await stored(core)).path == "first"

    await chat.send("/checklists")
    assert "Оформлення паспорта громадянина України у формі ID-картки — Зібрано 0 з 2" in chat.text


async def test_optional_documents_do_not_count_and_progress_is_kept(core):
    chat = Chat(core)
    await chat.send("/checklists")
    assert "ще немає списків документів" in chat.text
    await chat.start("svc_housing-subsidy")
    await chat.press("Список документів")
    assert "Зібрано 0 з 2" in chat.text and "☐ Довіреність (за бажанням)" in chat.labels
    await chat.press("☐ Заява")
    assert chat.last[0].edit and "Зібрано 1 з 2" in chat.text and "☑ Заява" in chat.labels
    await chat.press("☐ Декларація")
    assert "Зібрано 2 з 2" in chat.text and "Усі потрібні документи готові" in chat.text
    assert "вул. Тестова, 3" in chat.text  # this service's second office too
    await chat.press("☑ Заява")  # untick
    assert "Зібрано 1 з 2" in chat.text
    await chat.send("/checklists")
    assert "Призначення житлової субсидії — Зібрано 1 з 2" in chat.text
    assert "1 список документів ще не завершено" in chat.text


async def test_old_ticks_on_a_moved_on_conversation_are_stale(core):
    chat = Chat(core)
    await chat.start("svc_id-card")
    await chat.press("Список документів")
    old_choice = chat.button("Обмін").payload
    await chat.press("Обмін")
    old_skip = chat.button(NOT_MINE).payload
    await chat.send("/menu")
    for old in (old_choice, old_skip):
        await chat.press_payload(old)
        assert "застаріло" in chat.text


async def walk(chat: Chat, svc, path_id: str | None, lang: str) -> None:
    """Open the list, answer the question, mark `when` items not applicable, tick the rest: 100 %."""
    await chat.press_payload(payloads.encode("cl", (svc.id,)))
    if svc.paths:
        label = short(next(o for o in svc.paths.options if o.id == path_id).label.get(lang))
        buttons = [b for r in chat.last for b in r.all_buttons() if b.payload and b.payload.startswith("clp:")]
        assert len(buttons) == len(svc.paths.options), svc.id
        await chat.press_payload(next(b.payload for b in buttons if b.label.removeprefix("✔ ") == label))
    listed = applicable(svc, path_id)
    for n, doc in enumerate(svc.documents):
        if doc not in listed or doc.optional:
            continue
        buttons = [b for r in chat.last for b in r.all_buttons() if b.payload]
        if conditional(doc, path_id):
            skip = next(b for b in buttons if re.match(rf"skip:{re.escape(svc.id)}:{n}~", b.payload))
            await chat.press_payload(skip.payload)
        else:
            tick = next(b for b in buttons if re.match(rf"tick:{re.escape(svc.id)}:{n}~", b.payload))
            assert tick.label.startswith("☐"), (svc.id, doc.id, tick.label)
            await chat.press_payload(tick.payload)
        assert every_payload_fits(chat), svc.id
    progress = re.search(r"(?:Зібрано|Collected) (\d+) (?:з|of) (\d+)", chat.text)
    assert progress and progress.group(1) == progress.group(2), (svc.id, path_id, chat.text)
    assert "Усі потрібні документи готові" in chat.text or "All the documents you need are ready" in chat.text, (
        svc.id, path_id)


@pytest.mark.parametrize("where", ["bundled", "test"])
async def test_every_checklist_reaches_100_percent_on_every_path_through_the_bot(where, sqlite_url, real_kb, test_kb):
    kb = real_kb if where == "bundled" else test_kb
    core = await make_app(make_settings(sqlite_url), kb, search=False)
    walked = 0
    try:
        for svc in kb.services.values():
            if not svc.documents:
                continue
            for path_id in svc.path_ids():
                chat = Chat(core, user=f"{svc.id}-{path_id}")  # a fresh list for each case
                await chat.start()
                await walk(chat, svc, path_id, "uk")
                walked += 1
    finally:
        await core.close()
    assert walked >= (80 if where == "bundled" else 4)
