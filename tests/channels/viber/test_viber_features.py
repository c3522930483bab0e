"""Viber end to end for the features that reach people first: a poster's QR code opening the feedback
survey, and a social worker's reminder arriving and being confirmed."""

from __future__ import annotations

import asyncio
import datetime as dt
import re

from sqlalchemy import func, select, update

from bot.features.feedback.links import Target, make_payload
from bot.features.feedback.models import FeedbackResponse
from bot.features.reminders.models import Occurrence
from bot.features.staff import store as roles
from storage.models import Outbox
from tests.fakes.viber_api import FakeViber
from tests.viber_harness import U, assert_viber_would_accept_everything, running_bot

WORKER, CLIENT = "w0rkerViber1==", "c1ientViber2=="


async def test_a_posters_qr_code_opens_the_survey_in_the_welcome_message(sqlite_url, test_kb, tmp_path):
    async with FakeViber() as fake, running_bot(fake, sqlite_url, test_kb, tmp_path) as h:
        welcome = await fake.open(U, context=make_payload(Target(test_kb.main_office.id)))
        # One message (all Viber allows before the person writes): privacy notice, the survey's
        # introduction and its first question, with the rating buttons.
        assert "Тестової громади" in welcome.text and "Як загалом вас обслужили сьогодні?" in welcome.text
        assert welcome.labels()[:2] == ["5 — Чудово", "4 — Добре"]
        for _ in range(4):
            (question,) = await h.press("5 — Чудово")
        assert "Чи вирішили ваше питання?" in question.text
        await h.press("✅")
        (thanks,) = await h.say("Все швидко, дякую")  # the free-text question
        assert "Щиро дякуємо за відгук" in thanks.text
        async with h.core.db.sessions() as s:
            stored = (await s.execute(select(FeedbackResponse.channel, FeedbackResponse.source))).all()
        assert stored == [("viber", "qr")]
        assert_viber_would_accept_everything(fake)


async def test_a_reminder_arrives_on_viber_and_is_confirmed(sqlite_url, test_kb, tmp_path):
    async with FakeViber() as fake, running_bot(fake, sqlite_url, test_kb, tmp_path, VIBER_BOT_URI="hromada-test") as h:
        async with h.core.db.sessions() as s, s.begin():
            token = await roles.create_invite(s, "social_worker")
        await fake.open(WORKER, context=f"inv_{token}")
        await h.press("Прийняти", user=WORKER)
        await h.say("Олена Петрівна, ЦНСП", user=WORKER)
        await h.press("Мої клієнти", user=WORKER)
        await h.press("Додати клієнта", user=WORKER)
        invitation, *rest = await h.say("Ганна К.", user=WORKER)
        qr = rest[-1]
        assert qr.body["type"] == "picture" and fake.media[qr.body["media"]].startswith(b"\x89PNG")  # served for Viber
        context = re.search(r"viber://pa\?chatURI=hromada-test&context=(cl_[A-Za-z0-9_-]+)", invitation.text).group(1)

        consent = await fake.open(CLIENT, context=context)  # the client scans the QR code
        assert "Олена Петрівна, ЦНСП" in consent.text and "Так, погоджуюся ✅" in consent.labels()
        await h.press("Так, погоджуюся", user=CLIENT)
        await fake.wait_until(lambda: any("Згоду від клієнта" in m.text for m in fake.messages(WORKER)))

        await h.press("Відкрити клієнта", user=WORKER)
        for label in ("Нове нагадування", "Запис на прийом", "Пропустити", "Завтра", "10:00", "Один раз"):
            (msg,) = await h.press(label, user=WORKER)
        assert "Перевірте нагадування" in msg.text
        await h.press("Підтвердити", user=WORKER)

        # Tomorrow comes: the outbox row falls due and the web app's delivery worker sends it.
        before = len(fake.messages(CLIENT))
        async with h.core.db.sessions() as s, s.begin():
            await s.execute(update(Outbox).where(Outbox.kind == "reminder")
                            .values(due_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)))
        (reminder,) = (await fake.wait_messages(CLIENT, before + 1))[before:]
        assert reminder.text.startswith("🔔 Нагадування — Олена Петрівна, ЦНСП:")
        assert reminder.billing == "session"  # the client wrote (pressed) minutes ago
        (noted,) = await h.press("Зрозуміло", user=CLIENT)  # Viber cannot edit: a new message says so
        assert noted.text.startswith("✅")
        async with h.core.db.sessions() as s:
            assert (await s.execute(select(Occurrence.state))).scalars().all() == ["confirmed"]
        for _ in range(100):  # the worker records the outcome just after the fake API answered
            async with h.core.db.sessions() as s:
                billing = (await s.execute(select(Outbox.billing).where(Outbox.kind == "reminder"))).scalar_one()
            if billing:
                break
            await asyncio.sleep(0.05)
        assert billing == "session"

        # The client leaves: reminders stop and the worker hears of it.
        await fake.unsubscribe(CLIENT)
        await h.settled()
        await fake.wait_until(lambda: "Ганна К." in fake.last(WORKER).text and "⚠️" in fake.last(WORKER).text)
        async with h.core.db.sessions() as s:
            pending = select(func.count()).select_from(Outbox).where(Outbox.state == "pending",
                                                                     Outbox.kind == "reminder")
            assert (await s.execute(pending)).scalar_one() == 0
        assert_viber_would_accept_everything(fake)


async def test_pictures_stickers_and_locations_on_viber(db_url, test_kb, tmp_path):
    from bot.app import FEATURES
    from tests.location_feature import WHERE

    async with FakeViber() as fake, running_bot(fake, db_url, test_kb, tmp_path, features=[*FEATURES, WHERE]) as h:
        await h.say("привіт")
        for message in ({"type": "picture", "media": "https://dl-media.viber.com/x.jpg", "text": ""},
                        {"type": "sticker", "sticker_id": 40100}):
            replies = await h._after(U, fake.sends(U, message))
            assert "лише текст" in replies[0].text
        (ask,) = await h.say("/where")
        picker = [b for b in ask.buttons() if b["ActionType"] == "location-picker"]
        assert len(picker) == 1 and "Надіслати місцезнаходження" in picker[0]["Text"]
        (answer,) = await h._after(U, fake.shares_location(U, 50.4501, 30.5234))
        assert answer.text == "Ви тут: 50.4501, 30.5234"
        assert_viber_would_accept_everything(fake)
