"""Viber end to end over real HTTP: signed callbacks into `serve`'s web app, replies into a strict fake Viber."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from sqlalchemy import select, update

from bot.channels.viber.channel import ViberSender
from bot.cli.viber import set_webhook, usage
from bot.core.events import Attachment, Button, Reply
from bot.delivery import outbox
from bot.features.status import store as apps
from storage.models import Outbox, User
from tests.cnap_questions import QUESTIONS, assert_office_answer
from tests.fakes.viber_api import FakeViber
from tests.viber_harness import KEY, U, assert_viber_would_accept_everything, eventually, running_bot

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8


@pytest.fixture
async def viber(db_url, test_kb, tmp_path):
    """On SQLite and PostgreSQL."""
    async with FakeViber() as fake, running_bot(fake, db_url, test_kb, tmp_path) as h:
        yield h


async def test_journey_welcome_search_card_checklist_back_menu(viber, caplog):
    caplog.set_level(logging.DEBUG)
    h, fake = viber, viber.fake
    welcome = await fake.open(U)
    assert welcome.via == "welcome"  # returned in the HTTP response: the one message Viber allows
    assert "Тестової громади" in welcome.text and "Головне меню" in welcome.text  # privacy notice + menu, combined
    assert welcome.labels()[0] == "Знайти послугу 🔎"
    assert all(b["Silent"] and b["TextSize"] == "large" for b in welcome.buttons()[:2])

    (results,) = await h.say("субсидія")
    assert "Призначення житлової субсидії" in results.labels()
    (card,) = await h.press("Призначення житлової субсидії")
    assert "Документи:" in card.text and len(card.text) <= 7000 and "https://" not in card.text
    link = next(b for b in card.buttons() if b["ActionType"] == "open-url")
    assert link["ActionBody"] == "https://diia.gov.ua/"
    (checklist,) = await h.press("Список документів")
    assert "Зібрано 0 з 2" in checklist.text
    (ticked,) = await h.press("☐ Заява")  # Viber cannot edit: the new state comes as a new message
    assert "Зібрано 1 з 2" in ticked.text and any(label.startswith("☑ Заява") for label in ticked.labels())
    (back,) = await h.press("Назад")
    assert back.text == card.text
    (home,) = await h.press("Головне меню")
    assert home.text.startswith("Головне меню")

    assert_viber_would_accept_everything(fake)
    assert {m.billing for m in fake.messages(U)} == {"welcome", "session"}  # replies within the session are free
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name != "aiohttp.access")
    assert fake.token not in ours


async def test_qr_context_opens_its_flow_in_the_welcome_message(viber):
    h, fake = viber, viber.fake
    welcome = await fake.open(U, context="svc_housing-subsidy")
    assert "Тестової громади" in welcome.text and "Призначення житлової субсидії" in welcome.text
    assert "Список документів ✅" in welcome.labels()
    await h.say("паспорт")  # subscribes
    again = await fake.open(U, context="svc_housing-subsidy")  # each scan fires conversation_started
    assert "Тестової громади" not in again.text and again.text.startswith("📄 Призначення житлової субсидії")
    stale = await fake.open(U, context="nosuch_thing")
    assert "посилання застаріло" in stale.text and "Головне меню" in stale.text
    assert_viber_would_accept_everything(fake)


async def test_cnap_questions_are_answered_from_the_offices_data(viber):
    h, fake = viber, viber.fake
    await fake.open(U)
    for question, first in QUESTIONS:
        (answer,) = await h.say(question)
        assert_office_answer(answer.text, first)
        assert "Головне меню 🏠" in answer.labels()
    assert_viber_would_accept_everything(fake)


async def test_typed_text_and_button_presses_are_told_apart(viber):
    h, fake = viber, viber.fake
    await fake.open(U)
    (find,) = await h.say("find")  # exactly a payload of the keyboard on screen: the same as pressing it
    assert "Введіть своїми словами" in find.text
    (typed,) = await h.say("mycl")  # a word that is an action, but not on screen: searched, as on Telegram
    assert "списків документів" not in typed.text and "цього я не знаю" in typed.text
    (card,) = await h.say("svc:id-card")  # machine-made, nobody types it by accident
    assert card.text.startswith("📄")
    stale = await h.say("back~1", tracking_data=None)  # a button from a keyboard long gone
    assert "меню застаріло" in stale[0].text and stale[1].text.startswith("Головне меню")
    (searched,) = await h.say("menu", tracking_data="{not json")  # altered tracking data is only a hint
    assert not searched.text.startswith("Головне меню")
    (home,) = await h.say("menu", tracking_data=None, silent=True)  # only buttons send silently
    assert home.text.startswith("Головне меню")
    (started,) = await h.say("/start")
    assert started.text.startswith("Головне меню")
    assert_viber_would_accept_everything(fake)


async def test_status_lookup_and_notifications_counted_session_then_paid(viber, capsys):
    h, fake = viber, viber.fake
    async with h.core.db.sessions() as s, s.begin():
        upd = apps.ApplicationUpdate(number="ЦН-7", status="received", secret="4821")
        await apps.upsert(s, upd, "test", KEY.encode())
    await fake.open(U)
    await h.say("паспорт")
    await h.press("Головне меню")
    await h.press("Статус заяви")
    await h.say("ЦН-7")
    (card,) = await h.say("4821")
    assert "Отримано" in card.text
    (followed,) = await h.press("Повідомляти мене")
    assert "напишу вам" in followed.text

    async def change(status: str) -> None:
        before = len(fake.messages(U))
        async with h.core.db.sessions() as s, s.begin():
            upd = apps.ApplicationUpdate(number="ЦН-7", status=status, secret="4821")
            assert (await apps.upsert(s, upd, "test", KEY.encode())).notified == 1
        await fake.wait_messages(U, before + 1)

    await change("in_progress")  # the person wrote a minute ago: inside the free 24-hour session
    two_days_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=2)
    async with h.core.db.sessions() as s, s.begin():
        await s.execute(update(User).where(User.external_id == U).values(last_seen_at=two_days_ago, last_written_at=two_days_ago))
    fake.users[U].last_wrote = two_days_ago.timestamp()
    await change("ready")

    notices = [m for m in fake.messages(U) if m.text.startswith("🔔")]
    assert [m.billing for m in notices] == ["session", "paid"]  # what Viber would charge…

    async def billed() -> list[str | None]:
        async with h.core.db.sessions() as s:
            stmt = select(Outbox.billing).where(Outbox.state == "sent", Outbox.kind == "status_change").order_by(Outbox.id)
            return list((await s.execute(stmt)).scalars())

    await eventually(billed, ["session", "paid"])  # …is what the outbox recorded
    await h.settled()
    month = dt.datetime.now(dt.UTC).strftime("%Y-%m")
    charged = [m.billing for m in fake.messages(U) if m.via == "api"]  # answers too: each one a Viber message
    assert await outbox.monthly_counts(h.core.db, "viber") == [(month, "paid", charged.count("paid")),
                                                                (month, "session", charged.count("session"))]
    assert charged.count("paid") == 1
    assert await usage(h.settings) == 0
    out = capsys.readouterr().out
    assert f"{month}  paid     1" in out and f"{month}  session  {charged.count('session')}" in out
    assert "Відкрити заяву" in notices[-1].labels()
    assert_viber_would_accept_everything(fake)


async def test_unsubscribe_marks_the_person_stopped_and_cancels_what_was_queued(viber):
    h, fake = viber, viber.fake
    await fake.open(U)
    await h.say("паспорт")
    user = await h.user()
    async with h.core.db.sessions() as s, s.begin():
        later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
        await outbox.enqueue(s, user_id=user.id, channel="viber", kind="text", payload={"text": "нагадування"},
                             key="r1", due_at=later)
    assert await fake.unsubscribe(U) == 200
    await h.settled()
    assert (await h.user()).blocked_at is not None
    async with h.core.db.sessions() as s:
        row = (await s.execute(select(Outbox).where(Outbox.idempotency_key == "r1"))).scalar_one()
    assert row.state == "cancelled" and "unsubscribed" in row.last_error

    await h.say("я повернувся")  # writing again subscribes again
    assert (await h.user()).blocked_at is None
    fake.users[U].subscribed = False  # left without Viber telling us (a lost callback)
    outcome = await ViberSender(h.channel).send(U, [Reply("ще одне")])
    assert outcome.status == "blocked" and "status 6" in outcome.error


async def test_forged_or_missing_signature_is_refused_and_nothing_is_processed(viber):
    h, fake = viber, viber.fake
    event = fake.event("message", sender={"id": U}, message={"type": "text", "text": "/start"})
    assert (await fake.post(event, signature="0" * 64))[0] == 401
    assert (await fake.post(event, signature=None))[0] == 401
    other = fake.event("message", sender={"id": U}, message={"type": "text", "text": "інше"})
    assert (await fake.post(event, signature=fake.sign(repr(other).encode())))[0] == 401
    await h.settled()
    assert await h.user() is None and fake.sent == []  # not even the person was created
    fake.user(U).subscribed = fake.user(U).opened = True
    status, _ = await fake.post(event)  # the real signature (forgeries did not use up the message token)
    assert status == 200
    await fake.wait_messages(U, 2)


async def test_repeated_callbacks_are_processed_once(viber):
    h, fake = viber, viber.fake
    fake.user(U).subscribed = fake.user(U).opened = True
    event = fake.event("message", sender={"id": U, "language": "uk"}, message={"type": "text", "text": "/help"})
    for _ in range(3):  # Viber re-sends what it thinks went unanswered
        assert (await fake.post(event))[0] == 200
    await h.settled()
    assert len(fake.messages(U)) == 2  # privacy notice and help, once


async def test_a_slow_viber_never_holds_up_the_webhook(sqlite_url, test_kb, tmp_path):
    """Sends take a second each; other people's callbacks are answered meanwhile."""
    async with FakeViber(delay=1.0) as fake, running_bot(fake, sqlite_url, test_kb, tmp_path):
        fake.user("A").subscribed = fake.user("A").opened = True
        assert await fake.say("A", "субсидія") == 200
        await fake.wait_until(lambda: ("send_started", "A") in fake.timeline)
        assert ("send_done", "A") not in fake.timeline
        welcome = await fake.open("B")  # needs the core, not Viber: answered while A's send is in flight
        assert welcome is not None and "Головне меню" in welcome.text
        assert await fake.say("B", "паспорт") == 200
        t = fake.timeline
        first_done = t.index(("send_done", "A")) if ("send_done", "A") in t else len(t)
        assert [e for e in t[:first_done] if e[0] == "ack"] == [("ack", "A"), ("ack", "B"), ("ack", "B")]
        await fake.wait_messages("B", 2)
        await fake.wait_messages("A", 2)  # privacy notice and results, in order
        assert "субсидія" in fake.messages("A")[1].text


async def test_long_text_is_split_and_the_keyboard_rides_on_the_last_part(viber):
    h, fake = viber, viber.fake
    await fake.open(U)
    await h.say("паспорт")
    before = len(fake.messages(U))
    paragraph = "Документ " + "дуже " * 150 + "важливий.\n\n"
    emoji = "🙂 " * 6000  # 4 bytes each: 7,000 characters of these would break the 30 KB limit
    reply = Reply(paragraph * 25 + emoji, [[Button("OK", "menu")]])
    assert await h.channel.reply(U, [reply])
    parts = fake.messages(U)[before:]
    assert len(parts) >= 4 and all(len(m.text) <= 7000 for m in parts)
    assert [m.keyboard is not None for m in parts] == [False] * (len(parts) - 1) + [True]
    def squeeze(text: str) -> str:
        return text.replace("\n", "").replace(" ", "")

    assert squeeze("".join(m.text for m in parts)) == squeeze(reply.text)  # nothing lost
    assert_viber_would_accept_everything(fake)


async def test_pictures_and_files_are_served_for_viber_to_fetch(viber):
    h, fake = viber, viber.fake
    await fake.open(U)
    await h.say("паспорт")
    before = len(fake.messages(U))
    qr = Attachment("image", "qr.png", PNG, "Скануйте цей код")
    report = Attachment("document", "звіт.xlsx", b"PK\x03\x04 table", "")
    assert await h.channel.reply(U, [Reply("Ось QR-код:", [[Button("Головне меню 🏠", "menu")]], [qr, report])])
    text, picture, file = fake.messages(U)[before:]
    assert text.text == "Ось QR-код:" and picture.body["type"] == "picture" and file.body["type"] == "file"
    assert picture.body["text"] == "Скануйте цей код" and fake.media[picture.body["media"]] == PNG
    assert picture.body["media"].startswith(h.settings.public_url + "/viber/media/")
    assert file.body["file_name"] == "звіт.xlsx" and file.keyboard is not None
    assert_viber_would_accept_everything(fake)

    h.settings.public_url = None  # nowhere for Viber to fetch from: the words still arrive
    before = len(fake.messages(U))
    assert await h.channel.reply(U, [Reply("Графік:", attachments=[qr])])
    assert [m.text for m in fake.messages(U)[before:]] == ["Графік:", "Скануйте цей код"]


async def test_limits_and_failures_become_outcomes_and_never_leak_the_token(sqlite_url, test_kb, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    async with FakeViber(unanswered_limit=2) as fake, running_bot(fake, sqlite_url, test_kb, tmp_path) as h:
        await fake.open(U)
        await h.say("паспорт")  # one reply: one unanswered message so far
        sender = ViberSender(h.channel)
        assert (await sender.send(U, [Reply("перше")])).status == "sent"
        throttled = await sender.send(U, [Reply("друге")])  # 100/hour without a reply, here 2
        assert throttled.status == "retry" and throttled.retry_after == 900
        assert (await sender.send("never-seen", [Reply("x")])).status == "blocked"  # not registered
        h.channel.api.base = "http://127.0.0.1:9/pa"  # nothing listens there
        h.channel.api.retries, h.channel.api.backoff = 1, 0.01
        down = await sender.send(U, [Reply("третє")])
        assert down.status == "retry" and fake.token not in down.error
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name != "aiohttp.access")
    assert "retrying" in ours and fake.token not in ours


async def test_set_webhook_command_registers_the_public_url(viber, capsys):
    h, fake = viber, viber.fake
    h.settings.public_url = "https://bot.example.gov.ua"
    assert await set_webhook(h.settings) == 0  # Viber calls the webhook to check it, signed
    assert fake.webhook_url == "https://bot.example.gov.ua/viber/webhook"
    assert {"conversation_started", "unsubscribed", "failed"} <= set(fake.event_types)
    assert "Viber webhook set" in capsys.readouterr().out
    h.settings.public_url = "http://bot.example.gov.ua"
    assert await set_webhook(h.settings) == 1
    assert "status 1" in capsys.readouterr().err


async def test_receipts_subscribed_and_other_callbacks_are_acknowledged(viber):
    h, fake = viber, viber.fake
    await fake.open(U)
    await h.say("паспорт")
    for name in ("delivered", "seen", "failed", "webhook"):
        assert (await fake.post(fake.event(name, user_id=U)))[0] == 200
    assert h.channel.receipts == {"delivered": 1, "seen": 1, "failed": 1}
    await fake.unsubscribe(U)
    await h.settled()
    assert (await h.user()).blocked_at is not None
    assert await fake.subscribe(U) == 200
    await h.settled()
    assert (await h.user()).blocked_at is None
    sticker = fake.event("message", sender={"id": U}, message={"type": "sticker", "sticker_id": 46105})
    assert (await fake.post(sticker))[0] == 200  # no text: the main menu
    unknown = fake.event("message", sender={"id": U}, message={"type": "hologram"})
    assert (await fake.post(unknown))[0] == 200  # signed by Viber but unreadable: acknowledged, ignored
    await h.settled()
    assert fake.last(U).text.startswith("Головне меню")
