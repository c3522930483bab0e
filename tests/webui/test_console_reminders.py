"""Social workers' reminders in the console: the wizard's rules, the same service code, only one's own clients."""

from __future__ import annotations

import base64
import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

import zxingcpp
from PIL import Image
from sqlalchemy import select

from bot.core.clock import ManualClock
from bot.features.reminders.models import Occurrence, Reminder
from storage.models import Outbox
from tests.chat import Chat
from tests.conftest import make_app, make_settings
from tests.console_support import person, serve, signed_in
from tests.features.reminders.test_reminders import linked_pair
from tests.webui.test_console_security import NOW, wcore  # noqa: F401  (fixture)


async def test_create_change_and_cancel_with_the_wizards_rules(wcore):
    _worker, _client, link = await linked_pair(wcore)
    await person(wcore, "social_worker", user="other-worker")
    async with serve(wcore) as client:
        csrf = await signed_in(wcore, client, "worker")
        page = f"/console/clients/{link.id}"
        assert "Ганна К." in await (await client.get(page)).text()

        past = await client.post(f"{page}/reminders", data={"csrf": csrf, "template": "0", "date": "2026-12-01",
                                                            "time": "09:00", "repeat": "none"})
        assert past.status == 400 and "Цей час уже минув" in await past.text()
        odd = await client.post(f"{page}/reminders", data={"csrf": csrf, "text": "Прийом", "date": "2026-12-02",
                                                           "time": "10:00", "repeat": "before:5"})
        assert odd.status == 400 and "як часто" in (await odd.text()).lower()

        quiet = await client.post(f"{page}/reminders", data={"csrf": csrf, "text": "Прийом у лікаря", "date": "2026-12-02",
                                                             "time": "22:30", "repeat": "weekly"})
        body = await quiet.text()
        assert quiet.status == 200 and "тихі години" in body and "08:00" in body  # moved to the morning
        async with wcore.db.sessions() as s:
            reminder = (await s.execute(select(Reminder))).scalar_one()
            occ = (await s.execute(select(Occurrence))).scalar_one()
            queued = (await s.execute(select(Outbox).where(Outbox.kind == "reminder"))).scalar_one()
        assert (reminder.repeat, reminder.local_time, occ.state) == ("weekly", "22:30", "scheduled")
        assert queued.due_at == occ.due_at == dt.datetime(2026, 12, 3, 8, 0, tzinfo=ZoneInfo("Europe/Kyiv"))

        edit = await client.post(f"{page}/reminders/{reminder.id}", data={"csrf": csrf, "text": "Прийом о 10",
                                                                         "date": "2026-12-03", "time": "10:00"},
                                 allow_redirects=False)
        assert edit.status == 303
        cancel = await client.post(f"{page}/reminders/{reminder.id}/cancel", data={"csrf": csrf}, allow_redirects=False)
        assert cancel.status == 303
        async with wcore.db.sessions() as s:
            states = sorted((await s.execute(select(Occurrence.state))).scalars())
            pending = (await s.execute(select(Outbox.state).where(Outbox.kind == "reminder"))).scalars().all()
            reminder = (await s.execute(select(Reminder))).scalar_one()
        assert states == ["cancelled", "cancelled"] and set(pending) == {"cancelled"}
        assert (reminder.text, reminder.active) == ("Прийом о 10", False)

        client.session.cookie_jar.clear()
        csrf = await signed_in(wcore, client, "other-worker")
        assert (await client.get(page)).status == 404  # another worker's client
        forged = await client.post(f"{page}/reminders", data={"csrf": csrf, "text": "x", "date": "2026-12-05",
                                                              "time": "10:00", "repeat": "none"})
        assert forged.status == 404


async def test_an_invitation_with_its_qr_code(db_url, test_kb):
    core = await make_app(make_settings(db_url, TELEGRAM_BOT_USERNAME="HromadaTestBot"), test_kb, clock=ManualClock(NOW))
    try:
        await person(core, "social_worker", user="worker")
        async with serve(core) as client:
            csrf = await signed_in(core, client, "worker")
            await client.post("/console/clients/name", data={"csrf": csrf, "name": "Олена Петрівна, ЦНСП"})
            page = await (await client.post("/console/clients/add", data={"csrf": csrf, "alias": "Петро"})).text()
        link = re.search(r'href="(https://t\.me/HromadaTestBot\?start=cl_[A-Za-z0-9_-]+)"', page).group(1)
        png = base64.b64decode(re.search(r'<img class="qr" src="data:image/png;base64,([^"]+)"', page).group(1))
        decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
        assert [d.text for d in decoded] == [link]
        client_chat = Chat(core, user="petro")
        await client_chat.start(link.split("start=")[1])
        assert "Олена Петрівна, ЦНСП" in client_chat.text  # the link opens the client's consent
    finally:
        await core.close()
