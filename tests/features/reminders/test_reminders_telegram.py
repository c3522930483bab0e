"""A social worker and a client on Telegram (real HTTP to the strict fake Bot API):
invitation, consent, the reminder wizard, delivery, "Got it"."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from zoneinfo import ZoneInfo

from bot.core.clock import ManualClock
from bot.features.staff import store as roles
from tests.conftest import make_app, make_settings
from tests.fakes.telegram_api import FakeTelegram

WORKER, CLIENT = 7001, 7002


async def test_reminder_wizard_delivery_and_confirmation_on_telegram(sqlite_url, test_kb):
    async with FakeTelegram(chat_rate=10.0, chat_burst=10.0) as tg:  # the clock is manual: no real pacing
        settings = make_settings(sqlite_url, TELEGRAM_BOT_TOKEN=tg.token, TELEGRAM_API_BASE=tg.base_url,
                                 TELEGRAM_BOT_USERNAME="hromada_test_bot")
        # A fixed moment in the community's time: the test does not depend on the hour it runs at.
        clock = ManualClock(dt.datetime(2026, 12, 1, 15, 0, tzinfo=ZoneInfo("Europe/Kyiv")))
        core = await make_app(settings, test_kb, clock=clock)
        runtime = core.open_channels(["telegram"])[0]
        dp = runtime.channel.dispatcher()
        polling = asyncio.create_task(dp.start_polling(runtime.bot, handle_signals=False, polling_timeout=1))

        async def say(chat, text, expect=1):
            n = len(tg.messages(chat))
            await tg.user_sends(chat, text)
            await tg.wait_messages(chat, n + expect)
            return tg.messages(chat)[-1]

        async def press(chat, message, label, expect=1):
            n = len(tg.messages(chat))
            await tg.user_presses(message, label)
            await tg.wait_messages(chat, n + expect)
            return tg.messages(chat)[-1]

        try:
            async with core.db.sessions() as s, s.begin():
                token = await roles.create_invite(s, "social_worker")
            msg = await say(WORKER, f"/start inv_{token}", expect=2)
            msg = await press(WORKER, msg, "Прийняти", expect=2)
            msg = await say(WORKER, "Олена Петрівна, ЦНСП", expect=2)
            msg = await press(WORKER, msg, "Мої клієнти")
            msg = await press(WORKER, msg, "Додати клієнта")
            msg = await say(WORKER, "Ганна К.", expect=2)  # the link, then the QR code as a picture
            invitation = tg.messages(WORKER)[-2]
            assert msg.kind == "photo" and "t.me/hromada_test_bot?start=cl_" in invitation.text
            payload = re.search(r"start=(cl_[A-Za-z0-9_-]+)", invitation.text).group(1)

            consent = await say(CLIENT, f"/start {payload}", expect=2)
            assert "Олена Петрівна, ЦНСП" in consent.text
            await press(CLIENT, consent, "Так, погоджуюся", expect=2)

            msg = await press(WORKER, invitation, "Відкрити клієнта")
            assert "згоду надано" in msg.text
            msg = await press(WORKER, msg, "Нове нагадування")
            msg = await press(WORKER, msg, "Запис на прийом")
            msg = await press(WORKER, msg, "Пропустити")
            msg = await press(WORKER, msg, "Завтра")
            msg = await press(WORKER, msg, "10:00")
            msg = await press(WORKER, msg, "Один раз")
            assert "Перевірте нагадування" in msg.text and "10:00" in msg.text
            await press(WORKER, msg, "Підтвердити", expect=2)
            assert "Збережено" in tg.messages(WORKER)[-2].text

            # Tomorrow at 10:00 comes: the outbox row falls due and the delivery worker sends it, once.
            worker = core.delivery_worker([runtime.sender])
            while await worker.run_once():  # what is due now (the worker's note that the client agreed)
                pass
            before = len(tg.messages(CLIENT))
            clock.set(dt.datetime(2026, 12, 2, 9, 59, tzinfo=ZoneInfo("Europe/Kyiv")))
            assert await worker.run_once() == 0 and len(tg.messages(CLIENT)) == before  # not a minute early
            clock.set(dt.datetime(2026, 12, 2, 10, 0, tzinfo=ZoneInfo("Europe/Kyiv")))
            assert await worker.run_once() == 1 and len(tg.messages(CLIENT)) == before + 1
            reminder = tg.messages(CLIENT)[-1]
            assert reminder.text.startswith("🔔 Нагадування — Олена Петрівна, ЦНСП:")
            assert "У вас запис на прийом" in reminder.text and "Коли: сьогодні, 2 грудня, о 10:00" in reminder.text
            await tg.user_presses(reminder, "Зрозуміло")
            await tg.wait_until(lambda: reminder.edits == 1)
            assert reminder.text.startswith("✅ Відмічено")
            assert [b["text"] for b in reminder.buttons()] == ["Головне меню 🏠"]

            msg = await say(WORKER, "/menu")
            msg = await press(WORKER, msg, "Мої клієнти")
            msg = await press(WORKER, msg, "Ганна К.")
            assert "✅" in msg.text and "підтверджено" in msg.text
            assert not [e for e in tg.errors if e[1] not in (429,)], tg.errors
        finally:
            await dp.stop_polling()
            await asyncio.wait_for(polling, 10)
            await runtime.close()
            await core.close()
