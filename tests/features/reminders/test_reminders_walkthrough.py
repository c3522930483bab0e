"""What a walk-through as a social worker and a client broke (issue 12, items 1–8 and the texts)."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import func, select

from bot.features.reminders.importer import import_reminders
from bot.features.reminders.models import ClientLink, Reminder
from bot.features.reminders.timing import Policy
from bot.features.services.models import SearchMiss
from storage import people as repo
from storage.models import Base, Outbox
from tests.chat import Chat
from tests.features.reminders.test_reminders import KYIV, NOW, Sink, linked_pair, rcore  # noqa: F401


def invite_payload(chat: Chat) -> str:
    return re.search(r"--start (cl_\S+)", chat.text).group(1)


async def client_screen(worker: Chat) -> None:
    await worker.send("/menu")
    await worker.press("Мої клієнти")
    await worker.press("Ганна К.")


async def open_wizard(worker: Chat) -> None:
    await client_screen(worker)
    await worker.press("Нове нагадування")


async def deliver(core) -> Sink:
    sink = Sink()
    await core.delivery_worker([sink]).run_once()
    return sink


# --- 1. import twice: nothing twice ---------------------------------------------------------------


async def test_importing_the_same_file_twice_changes_nothing(rcore, tmp_path):
    await linked_pair(rcore)
    path = tmp_path / "r.csv"
    path.write_text("client;text;when;repeat\nГанна К.;Прийом у ЦНАП;01.12.2099 10:00;\n"
                    "Ганна К.;Довідка;2099-12-05 09:30;before:3\n", encoding="utf-8")
    async with rcore.db.sessions() as s:
        worker_id = (await repo.find_user(s, "console", "worker")).id
    first = await import_reminders(rcore.db, path, worker_id, Policy(KYIV), now=NOW)
    again = await import_reminders(rcore.db, path, worker_id, Policy(KYIV), now=NOW)
    assert (first.imported, first.unchanged) == (2, 0)
    assert (again.imported, again.unchanged, again.rejected) == (0, 2, [])
    async with rcore.db.sessions() as s:
        assert (await s.execute(select(func.count()).select_from(Reminder))).scalar_one() == 2
        assert (await s.execute(select(func.count()).select_from(Outbox).where(Outbox.kind == "reminder"))).scalar_one() == 2


async def test_the_same_file_imported_twice_at_once_is_imported_once(rcore, tmp_path):
    """Two imports of one file racing (two staff members, or a double click on a script): each row once."""
    import asyncio

    await linked_pair(rcore)
    path = tmp_path / "r.csv"
    rows = "".join(f"Ганна К.;Прийом {i};0{1 + i % 9}.12.2099 10:00;\n" for i in range(12))
    path.write_text("client;text;when;repeat\n" + rows, encoding="utf-8")
    async with rcore.db.sessions() as s:
        worker_id = (await repo.find_user(s, "console", "worker")).id
    results = await asyncio.gather(*(import_reminders(rcore.db, path, worker_id, Policy(KYIV), now=NOW)
                                     for _ in range(3)))
    assert sorted(r.imported for r in results) == [0, 0, 12]
    assert sorted(r.unchanged for r in results) == [0, 12, 12]
    async with rcore.db.sessions() as s:
        assert (await s.execute(select(func.count()).select_from(Reminder))).scalar_one() == 12


# --- 2 and 6. the invitation: the same link again, a new one on purpose, again after /stop ---------


async def test_showing_the_invitation_again_shows_the_same_link_with_its_qr_code(rcore):
    async with rcore.db.sessions() as s, s.begin():
        from bot.features.staff import store as roles

        token = await roles.create_invite(s, "social_worker", name="Олена Петрівна, ЦНСП")
    worker = Chat(rcore, user="worker")
    await worker.start(f"inv_{token}")
    await worker.press("Прийняти")
    await worker.press("Мої клієнти")
    await worker.press("Додати клієнта")
    await worker.send("Ганна К.")
    first = invite_payload(worker)
    assert any(a.filename.endswith(".png") for r in worker.last for a in r.attachments)
    await worker.press("Відкрити клієнта")
    await worker.press("Показати запрошення ще раз")
    assert invite_payload(worker) == first
    assert any(a.filename.endswith(".png") for r in worker.last for a in r.attachments)
    async with rcore.db.engine.connect() as conn:  # the token itself is stored nowhere
        for table in Base.metadata.sorted_tables:
            for row in (await conn.execute(table.select())).all():
                assert first.removeprefix("cl_") not in repr(row), table.name

    await worker.press("Нове посилання")
    assert "старе посилання перестане працювати" in worker.text.lower()
    await worker.press("Так, нове посилання")
    second = invite_payload(worker)
    assert second != first
    client = Chat(rcore, user="client")
    await client.start(first)
    assert "замінено новим" in client.text and "Олена Петрівна, ЦНСП" in client.text and "застаріло" not in client.text
    await client.start(second)
    await client.press("Так, погоджуюся")
    other = Chat(rcore, user="someone-else")
    await other.start(second)  # a used link: explained too
    assert "вже використано" in other.text and "Олена Петрівна, ЦНСП" in other.text


async def test_after_stop_the_worker_invites_again_and_consent_is_asked_again(rcore):
    worker, client, link = await linked_pair(rcore)
    await client.send("/stop")
    await client.press("Так, зупинити")
    await client_screen(worker)
    await worker.press("Запросити знову")
    again = invite_payload(worker)
    await client.start(again)
    assert "Чи погоджуєтеся" in client.text
    await client.press("Так, погоджуюся")
    async with rcore.db.sessions() as s:
        assert (await s.get(ClientLink, link.id)).state == "active"
    await client_screen(worker)
    assert "Нове нагадування ➕" in worker.labels


# --- 3. what, when, where -------------------------------------------------------------------


async def test_the_reminder_says_what_when_in_words_and_where(rcore):
    worker, client, link = await linked_pair(rcore)
    await open_wizard(worker)
    await worker.press("Запис на прийом")
    assert "Де саме" in worker.text and "Пропустити" in " ".join(worker.labels)
    await worker.send("ЦНАП, вул. Соборна, 1, вікно 3; паспорт")
    await worker.send("03.12")
    await worker.send("9:30")
    assert "за київським часом" in " ".join(r.text for r in worker.history[-2])
    await worker.press("За день до дати")
    confirm = worker.text
    assert "Для клієнта «Ганна К.»" in confirm and "для:" not in confirm
    assert "За день до дати та в цей день" in confirm or "за день до дати та в цей день" in confirm
    assert "3 грудня о 9:30" in confirm and "вікно 3" in confirm
    await worker.press("Підтвердити")
    assert "Збережено" in worker.text and "2 грудня о 9:30" in worker.text
    rcore.services.clock.set(dt.datetime(2026, 12, 2, 9, 30, tzinfo=KYIV))
    sink = await deliver(rcore)
    text = next(m[1] for m in sink.sent if m[0] == "client")
    assert "завтра, 3 грудня, о 9:30" in text and "ЦНАП, вул. Соборна, 1, вікно 3; паспорт" in text
    rcore.services.clock.set(dt.datetime(2026, 12, 3, 9, 30, tzinfo=KYIV))
    sink = await deliver(rcore)
    assert any("сьогодні, 3 грудня, о 9:30" in m[1] for m in sink.sent if m[0] == "client")


# --- 4. the wizard: typed labels, Back one step, never a search ---------------------------------


async def test_the_wizard_takes_typed_labels_goes_back_one_step_and_searches_nothing(rcore):
    worker, client, link = await linked_pair(rcore)
    await client_screen(worker)
    await worker.send("Ганна Коваленко, вул. Шевченка, 5, кв. 12")  # client details typed on a screen
    await worker.press("Нове нагадування")
    await worker.send("Принести документи")  # a template's label, typed
    await worker.send("пропустити")
    await worker.send("завтра")
    await worker.send("10")
    assert "Як часто" in worker.text
    await worker.send("щоранку, будь ласка")  # not a choice: asked again, not searched
    assert "Як часто" in worker.text and "не знайшов" not in worker.text
    await worker.send("щотижня")
    assert "Перевірте нагадування" in worker.text and "щотижня" in worker.text
    await worker.press("Назад")
    assert "Як часто" in worker.text
    await worker.press("Назад")
    assert "О котрій годині" in worker.text and "10:00" in " ".join(worker.labels)  # the time is kept
    await worker.press("Назад")
    assert "Який день" in worker.text
    await worker.press("Назад")
    await worker.press("Назад")
    assert "Залишити" in " ".join(worker.labels)  # the text step offers to keep what was entered
    await worker.press("Залишити")
    await worker.press("Пропустити")
    await worker.press("Залишити")  # the date
    await worker.press("Залишити")  # the time
    await worker.press("Щотижня")
    assert "Будь ласка, не забудьте взяти документи" in worker.text or "документи" in worker.text
    assert "10:00" in worker.text and "щотижня" in worker.text
    await worker.press("Підтвердити")
    async with rcore.db.sessions() as s:
        assert (await s.execute(select(func.count()).select_from(SearchMiss))).scalar_one() == 0
        reminder = (await s.execute(select(Reminder))).scalar_one()
    assert (reminder.repeat, reminder.local_time, reminder.start_date) == ("weekly", "10:00", NOW.date() + dt.timedelta(days=1))


async def test_after_seven_pm_today_offers_only_times_still_to_come(rcore):
    worker, client, link = await linked_pair(rcore)
    rcore.services.clock.set(dt.datetime(2026, 12, 1, 19, 30, tzinfo=KYIV))
    await open_wizard(worker)
    await worker.press("Запис на прийом")
    await worker.press("Пропустити")
    await worker.press("Сьогодні")
    times = [label for label in worker.labels if re.fullmatch(r"\d\d:\d\d", label)]
    assert times and all(t > "19:30" for t in times), times
    await worker.press(times[0])
    assert "вже минув" not in worker.text and "Як часто" in worker.text


# --- 7 and 8. no dead ends; the consent screen tells the truth --------------------------------


async def test_every_client_screen_has_a_way_on(rcore):
    worker, client, link = await linked_pair(rcore)
    from tests.features.reminders.test_reminders import due_reminder

    await due_reminder(rcore, link)
    sink = Sink()
    await rcore.delivery_worker([sink]).run_once()
    buttons = next(m[2] for m in sink.sent if m[0] == "client")
    await client.press_payload(buttons[1].payload)  # "Remind me in an hour"
    assert "Нагадаю ще раз 1 грудня о 13:00." in client.text and "Головне меню 🏠" in client.labels
    await client.press_payload(buttons[0].payload)  # "Got it"
    assert "Головне меню 🏠" in client.labels
    await rcore.delivery_worker([sink]).run_once()
    for who, text, labels in sink.sent:
        assert any("Головне меню" in b.label for b in labels), (who, text)


async def test_the_consent_screen_says_exactly_what_the_worker_sees(rcore):
    worker, client, link = await linked_pair(rcore)
    await worker.send("/menu")
    await worker.press("Мої клієнти")
    await worker.press("Додати клієнта")
    await worker.send("Іван")
    payload = invite_payload(worker)
    person = Chat(rcore, user="ivan")
    await person.start(payload)
    text = person.text
    for seen in ("доставлено", "«Зрозуміло»", "не підтвердили", "зупините", "заблокуєте", "видалите"):
        assert seen in text, seen
    assert "(-лася)" not in text


async def test_an_invitation_made_under_another_server_key_is_not_shown_as_if_it_worked(rcore):
    worker, client, link = await linked_pair(rcore)
    from bot.features.reminders import service

    async with rcore.db.sessions() as s, s.begin():
        other, _token = await service.invite_client(s, link.worker_id, "Іван", b"an-older-key")
    await worker.press_payload(f"winv:{other.id}")
    assert "не можна показати ще раз" in worker.text and "--start cl_" not in worker.text
    await worker.press("Нове посилання")
    await worker.press("Так, нове посилання")
    payload = invite_payload(worker)
    person = Chat(rcore, user="ivan")
    await person.start(payload)
    assert "Чи погоджуєтеся" in person.text
