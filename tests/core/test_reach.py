"""The one rule for a person who can no longer be reached, whichever path finds it out first.

A client with an active reminder link (and a scheduled reminder), who follows an application and
is staff of an office (so a survey alert can be for them), blocks the bot. Whether that is found on
a reminder, a status change, a survey alert, a Viber `unsubscribed` callback or a Telegram 403 on a
reply, the same must follow: marked, nothing left pending, links stopped, occurrences closed, the
social worker told exactly once — on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.core.clock import ManualClock
from bot.delivery.sender import Outcome
from bot.features.reminders import service
from bot.features.reminders.models import ClientLink, Occurrence
from bot.features.reminders.timing import Policy
from bot.features.status import store as apps
from storage import people
from storage.models import Outbox, User
from storage.types import clock_scope
from tests.chat import Chat
from tests.conftest import make_app, make_settings
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.viber_api import FakeViber
from tests.feedback_support import qr, take_survey
from tests.telegram_support import telegram_running
from tests.viber_harness import eventually, running_bot

KYIV = ZoneInfo("Europe/Kyiv")
START = dt.datetime(2026, 12, 1, 12, 0, tzinfo=KYIV)
KEY = b"reach-test-key"
LOW = {"overall": 1, "what-wrong": ["queue"], "waiting": 2, "staff": 3, "premises": 4, "solved": False,
       "why-not-solved": "come-again", "comment": "Довго"}


class Sink:
    """A strict in-process sender: the people in `blocked` have blocked the bot (403), others get it."""

    def __init__(self, channel: str, blocked: set[str]):
        self.channel, self.blocked = channel, blocked
        self.sent: list[tuple[str, str]] = []

    async def send(self, external_id, replies):
        if external_id in self.blocked:
            return Outcome("blocked", error="Forbidden: bot was blocked by the user")
        self.sent.extend((external_id, r.text) for r in replies)
        return Outcome("sent")


async def scenario(app, channel: str, client_id: str) -> dict[str, int]:
    """Worker W (console) and client C (on `channel`) with everything that can be pending for C."""
    async with app.db.sessions() as s, s.begin():
        worker, _ = await people.get_or_create_user(s, "console", "worker")
        client, _ = await people.get_or_create_user(s, channel, client_id)
        await people.grant_role(s, worker.id, "social_worker")
        await people.grant_role(s, client.id, "staff", "cnap-main")
        await people.set_display_name(s, worker.id, "Олена Петрівна")
        link, _token = await service.invite_client(s, worker.id, "Ганна К.", KEY)
        await service.consent(s, link, client.id, now=app.services.clock.now())
        await service.create_reminder(s, link, text="Прийом", start_date=START.date() + dt.timedelta(days=1),
                                      local_time="10:00", policy=Policy.from_settings(app.settings),
                                      now=app.services.clock.now())
        change = await apps.upsert(s, apps.ApplicationUpdate(number="ЦН-1", status="received", secret="1234"),
                                   "test", KEY)
        await apps.follow(s, client.id, change.application.id, notify=True)
        return {"worker": worker.id, "client": client.id, "link": link.id}


async def outcome(app, ids: dict[str, int]) -> dict:
    async with app.db.sessions() as s:
        client = await s.get(User, ids["client"])
        rows = (await s.execute(select(Outbox).where(Outbox.user_id == ids["client"]))).scalars().all()
        notices = (await s.execute(select(Outbox).where(Outbox.user_id == ids["worker"],
                                                        Outbox.kind == "client_blocked"))).scalars().all()
        link = await s.get(ClientLink, ids["link"])
        occurrences = (await s.execute(select(Occurrence.state))).scalars().all()
    return {
        "marked": client.blocked_at is not None,
        "pending": sorted(r.kind for r in rows if r.state in ("pending", "sending")),
        "worker_told": len(notices),
        "link": link.state,
        "scheduled": occurrences.count("scheduled"),
    }


EXPECTED = {"marked": True, "pending": [], "worker_told": 1, "link": "stopped", "scheduled": 0}


async def twice_more(app, ids, channel, client_id) -> None:
    """Other paths finding it out later change nothing: the worker is not told again."""
    await app.unreachable(channel, client_id, "found again")
    await app.unreachable(channel, client_id, "and again")
    assert (await outcome(app, ids))["worker_told"] == 1


@pytest.fixture
async def app(db_url, test_kb):
    a = await make_app(make_settings(db_url, BOT_SECRET_KEY=KEY.decode()), test_kb, clock=ManualClock(START))
    yield a
    await a.close()


async def drain(app, sink) -> None:
    worker = app.delivery_worker([sink])
    while await worker.run_once():
        pass


async def test_found_on_a_reminder(app):
    ids = await scenario(app, "console", "client")
    sink = Sink("console", blocked={"client"})
    await drain(app, sink)  # the worker's "client agreed" note goes out; the reminder is not due yet
    app.services.clock.advance(dt.timedelta(days=1))  # 12:00 the next day: the 10:00 reminder is due
    await drain(app, sink)
    assert await outcome(app, ids) == EXPECTED
    async with app.db.sessions() as s:
        (occ,) = (await s.execute(select(Occurrence))).scalars().all()
    assert (occ.state, occ.reason) == ("failed", "blocked")  # the reminder that found it says why
    await twice_more(app, ids, "console", "client")


async def test_found_on_a_status_change(app):
    ids = await scenario(app, "console", "client")
    # The change is queued at the app's clock (as in the bot's web server), not at the real time.
    with clock_scope(app.services.clock.now):
        async with app.db.sessions() as s, s.begin():
            await apps.upsert(s, apps.ApplicationUpdate(number="ЦН-1", status="ready", secret="1234"), "test", KEY)
    await drain(app, Sink("console", blocked={"client"}))
    assert await outcome(app, ids) == EXPECTED
    await twice_more(app, ids, "console", "client")


async def test_found_on_a_survey_alert(app):
    ids = await scenario(app, "console", "client")
    await take_survey(Chat(app, user="visitor", lang="en"), LOW, payload=qr())  # alerts the office's staff (C)
    await drain(app, Sink("console", blocked={"client"}))
    assert await outcome(app, ids) == EXPECTED
    await twice_more(app, ids, "console", "client")


async def test_found_by_a_viber_unsubscribed_callback(db_url, test_kb, tmp_path):
    client_id = "VbClient0001+/=="
    async with FakeViber() as fake, running_bot(fake, db_url, test_kb, tmp_path) as h:
        ids = await scenario(h.core, "viber", client_id)
        assert await fake.unsubscribe(client_id) == 200
        await h.settled()
        assert await outcome(h.core, ids) == EXPECTED
        await twice_more(h.core, ids, "viber", client_id)


async def test_found_on_a_telegram_reply(db_url, test_kb):
    chat = 4242
    async with FakeTelegram(chat_rate=10.0, chat_burst=10.0) as tg:
        settings = make_settings(db_url, TELEGRAM_BOT_TOKEN=tg.token, TELEGRAM_API_BASE=tg.base_url,
                                 BOT_SECRET_KEY=KEY.decode())
        app = await make_app(settings, test_kb, clock=ManualClock(START))
        try:
            ids = await scenario(app, "telegram", str(chat))
            async with telegram_running(app, delivery=False):
                # They write once more and block the bot at once: the answer (through the outbox) meets the 403.
                update = tg.text_update(chat, "/help")
                tg.block(chat)
                await tg.deliver_update(update)
                await eventually(lambda: outcome(app, ids), EXPECTED, timeout=10)
            await twice_more(app, ids, "telegram", str(chat))
        finally:
            await app.close()
