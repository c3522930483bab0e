"""Social-worker reminders: timing (quiet hours, DST, repetition), consent, delivery, confirmation."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.core.clock import ManualClock
from bot.delivery.sender import Outcome
from bot.features.reminders import service
from bot.features.reminders.models import ClientLink, Occurrence
from bot.features.reminders.timing import Policy, apply_quiet_hours, next_planned, planned_days, to_utc
from bot.features.staff import store as roles
from storage import people as repo
from storage.models import Outbox
from tests.chat import Chat
from tests.conftest import make_app, make_settings

KYIV = ZoneInfo("Europe/Kyiv")
UTC = dt.UTC
PAST = dt.datetime(2026, 1, 1, tzinfo=UTC)
# The tests' "now": an ordinary weekday at noon in the community, whatever the hour the suite runs at.
NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=KYIV)


# --- timing -------------------------------------------------------------------------------------


def test_quiet_hours_move_to_the_morning_unless_urgent():
    evening = to_utc(dt.date(2026, 11, 23), dt.time(22, 30), KYIV)
    assert apply_quiet_hours(evening, KYIV, urgent=False) == to_utc(dt.date(2026, 11, 24), dt.time(8, 0), KYIV)
    early = to_utc(dt.date(2026, 11, 24), dt.time(6, 0), KYIV)
    assert apply_quiet_hours(early, KYIV, urgent=False) == to_utc(dt.date(2026, 11, 24), dt.time(8, 0), KYIV)
    assert apply_quiet_hours(evening, KYIV, urgent=True) == evening
    noon = to_utc(dt.date(2026, 11, 24), dt.time(12, 0), KYIV)
    assert apply_quiet_hours(noon, KYIV, urgent=False) == noon


def test_daily_reminders_keep_local_time_across_daylight_saving():
    # Kyiv moves clocks forward on the last Sunday of March 2027 (28th) and back on 31 October 2027.
    at = dt.time(9, 0)
    before = next_planned(dt.date(2027, 3, 27), at, "daily", 0, KYIV, PAST)
    after = next_planned(dt.date(2027, 3, 27), at, "daily", 0, KYIV, before)
    assert before.astimezone(KYIV).hour == after.astimezone(KYIV).hour == 9
    assert (before.hour, after.hour) == (7, 6)  # UTC shifts by the hour the clocks moved
    autumn = next_planned(dt.date(2027, 10, 31), at, "daily", 0, KYIV, PAST)
    assert autumn.astimezone(KYIV).hour == 9 and autumn.hour == 7


def test_times_in_the_dst_gap_and_overlap():
    gap = to_utc(dt.date(2027, 3, 28), dt.time(3, 30), KYIV)  # 03:00–04:00 does not exist that night
    assert gap.astimezone(KYIV).time() == dt.time(4, 30)
    overlap = to_utc(dt.date(2027, 10, 31), dt.time(3, 30), KYIV)  # happens twice: take the first
    assert overlap == dt.datetime(2027, 10, 31, 0, 30, tzinfo=UTC)


def test_repetition_patterns():
    days = planned_days(dt.date(2027, 1, 31), "monthly")
    assert [next(days) for _ in range(4)] == [dt.date(2027, 1, 31), dt.date(2027, 2, 28), dt.date(2027, 3, 31), dt.date(2027, 4, 30)]
    assert list(planned_days(dt.date(2027, 2, 10), "before", 3)) == [dt.date(2027, 2, 7), dt.date(2027, 2, 10)]
    assert list(planned_days(dt.date(2027, 2, 10), "none")) == [dt.date(2027, 2, 10)]
    weekly = planned_days(dt.date(2027, 2, 10), "weekly")
    assert [next(weekly) for _ in range(2)] == [dt.date(2027, 2, 10), dt.date(2027, 2, 17)]
    last = to_utc(dt.date(2027, 2, 10), dt.time(9, 0), KYIV)
    assert next_planned(dt.date(2027, 2, 10), dt.time(9, 0), "none", 0, KYIV, last) is None  # once: over


# --- the people -------------------------------------------------------------------------------


class Sink:
    channel = "console"

    def __init__(self, outcome: Outcome = Outcome("sent")):
        self.outcome = outcome
        self.sent: list[tuple[str, str, list]] = []

    async def send(self, external_id, replies):
        if self.outcome.status == "sent":
            for r in replies:
                self.sent.append((external_id, r.text, [b for row in r.buttons for b in row]))
        return self.outcome


@pytest.fixture
async def rcore(db_url, test_kb):
    core = await make_app(make_settings(db_url, BOT_REMINDER_CONFIRM_HOURS="0"), test_kb, clock=ManualClock(NOW))
    yield core
    await core.close()


async def linked_pair(core, worker_user="worker", client_user="client"):
    """A social worker with a named profile and a client who agreed, through the real flows."""
    async with core.db.sessions() as s, s.begin():
        token = await roles.create_invite(s, "social_worker")
    worker = Chat(core, user=worker_user)
    await worker.start(f"inv_{token}")
    await worker.press("Прийняти")
    assert "Як вас бачитимуть колеги та клієнти" in worker.text
    await worker.send("Олена Петрівна, ЦНСП")
    await worker.press("Мої клієнти")
    await worker.press("Додати клієнта")
    await worker.send("Ганна К.")
    invite = next(line for line in worker.text.splitlines() if "--start cl_" in line).split("--start ")[1]
    client = Chat(core, user=client_user)
    await client.start(invite)
    assert "Олена Петрівна, ЦНСП" in client.text and "/stop" in client.text
    await client.press("Так, погоджуюся")
    assert "Дякуємо" in client.text
    async with core.db.sessions() as s:
        link = (await s.execute(select(ClientLink).where(ClientLink.alias == "Ганна К."))).scalar_one()
    return worker, client, link


async def due_reminder(core, link, text="Нагадування про прийом", repeat="none", **kw):
    """A reminder whose first occurrence is already due."""
    async with core.db.sessions() as s, s.begin():
        link = await s.get(ClientLink, link.id)
        now = core.services.clock.now()
        local = (now - dt.timedelta(minutes=5)).astimezone(KYIV)
        return await service.create_reminder(
            s, link, text=text, start_date=local.date(), local_time=local.strftime("%H:%M"), repeat=repeat,
            urgent=True, policy=Policy(KYIV), now=now - dt.timedelta(hours=1), **kw)


async def test_no_consent_no_reminders(rcore):
    async with rcore.db.sessions() as s, s.begin():
        token = await roles.create_invite(s, "social_worker")
    worker = Chat(rcore, user="w")
    await worker.start(f"inv_{token}")
    await worker.press("Прийняти")
    await worker.send("Олена")
    await worker.press("Мої клієнти")
    await worker.press("Додати клієнта")
    await worker.send("Іван")
    invite = next(line for line in worker.text.splitlines() if "--start cl_" in line).split("--start ")[1]
    client = Chat(rcore, user="c")
    await client.start(invite)
    await client.press("Ні, дякую")  # declines
    await worker.press("Відкрити клієнта")
    assert "згоди ще немає" in worker.text
    assert "Нове нагадування" not in " ".join(worker.labels)
    async with rcore.db.sessions() as s, s.begin():
        link = (await s.execute(select(ClientLink))).scalar_one()
        assert link.state == "invited" and link.client_id is None
        # Even when called directly, the service plans nothing for a link without consent.
        _reminder, occ = await service.create_reminder(s, link, text="x", start_date=dt.date.today(),
                                                       local_time="23:59", policy=Policy(KYIV), now=PAST)
        assert occ is None
        assert (await s.execute(select(Outbox).where(Outbox.kind == "reminder"))).first() is None


async def test_wizard_creates_a_reminder_in_local_time_and_quiet_hours_apply(rcore):
    worker, client, link = await linked_pair(rcore)
    await worker.send("/menu")
    await worker.press("Мої клієнти")
    await worker.press("Ганна К.")
    await worker.press("Нове нагадування")
    await worker.press("Принести документи")
    await worker.press("Пропустити")
    await worker.press("Завтра")
    await worker.send("22:15")
    await worker.press("Щотижня")
    assert "тихі години" in worker.text and "08:00" in worker.text
    await worker.press("Підтвердити")
    assert "Збережено" in worker.text
    async with rcore.db.sessions() as s:
        occ = (await s.execute(select(Occurrence))).scalar_one()
        row = (await s.execute(select(Outbox).where(Outbox.kind == "reminder"))).scalar_one()
    tomorrow = NOW.date() + dt.timedelta(days=1)
    assert occ.due_at.astimezone(KYIV) == dt.datetime.combine(tomorrow + dt.timedelta(days=1), dt.time(8, 0), KYIV)
    assert row.idempotency_key == f"rem:{occ.id}" and row.user_id == link.client_id
    assert "🕒" in (await _client_screen(worker))


async def _client_screen(worker: Chat) -> str:
    await worker.send("/menu")
    await worker.press("Мої клієнти")
    await worker.press("Ганна К.")
    return worker.text


async def test_delivery_confirmation_and_what_the_worker_sees(rcore):
    worker, client, link = await linked_pair(rcore)
    await due_reminder(rcore, link)
    sink = Sink()
    delivery = rcore.delivery_worker([sink])
    await delivery.run_once()
    to_client = [m for m in sink.sent if m[0] == "client"]
    assert len(to_client) == 1 and "Олена Петрівна, ЦНСП" in to_client[0][1] and "Нагадування про прийом" in to_client[0][1]
    assert [b.label for b in to_client[0][2]] == ["Зрозуміло ✅", "Нагадати через годину ⏰", "Зупинити ці нагадування",
                                                    "Головне меню 🏠"]
    assert "📨" in await _client_screen(worker)

    await client.press_payload(to_client[0][2][0].payload)  # "Got it"
    assert "Ваш соціальний працівник побачить" in client.text and client.last[0].edit
    assert "✅" in await _client_screen(worker) and "підтверджено" in worker.text
    await delivery.run_once()  # the "not confirmed" check is due (0 h) but the client confirmed: silence
    assert not [m for m in sink.sent if "ще не підтверджено" in m[1]]


async def test_unconfirmed_reminder_alerts_the_worker(rcore):
    worker, client, link = await linked_pair(rcore)
    await due_reminder(rcore, link)
    sink = Sink()
    delivery = rcore.delivery_worker([sink])
    await delivery.run_once()
    await delivery.run_once()
    alerts = [m for m in sink.sent if m[0] == "worker" and "ще не підтверджено" in m[1]]
    assert len(alerts) == 1 and "Ганна К." in alerts[0][1]


async def test_snooze_and_daily_repetition(rcore):
    worker, client, link = await linked_pair(rcore)
    await due_reminder(rcore, link, repeat="daily")
    sink = Sink()
    delivery = rcore.delivery_worker([sink])
    await delivery.run_once()
    async with rcore.db.sessions() as s:
        occs = list((await s.execute(select(Occurrence).order_by(Occurrence.id))).scalars())
    assert [o.state for o in occs] == ["sent", "scheduled"]  # tomorrow's is planned once today's went out
    assert (occs[1].planned_for - occs[0].planned_for) == dt.timedelta(days=1)
    snooze = next(m for m in sink.sent if m[0] == "client")[2][1]
    await client.press_payload(snooze.payload)
    assert "Нагадаю ще раз" in client.text
    async with rcore.db.sessions() as s:
        later = (await s.execute(select(Occurrence).where(Occurrence.kind == "snooze"))).scalar_one()
    assert later.due_at - rcore.services.clock.now() == dt.timedelta(hours=1)  # NOW is on the minute
    await client.press_payload(snooze.payload)  # pressed twice: still one extra reminder
    async with rcore.db.sessions() as s:
        assert len(list((await s.execute(select(Occurrence).where(Occurrence.kind == "snooze"))).scalars())) == 1


async def test_client_stops_reminders_and_the_worker_is_told(rcore):
    worker, client, link = await linked_pair(rcore)
    async with rcore.db.sessions() as s, s.begin():
        link = await s.get(ClientLink, link.id)
        await service.create_reminder(s, link, text="Візит", start_date=NOW.date() + dt.timedelta(days=3),
                                      local_time="10:00", policy=Policy(KYIV), now=NOW)
    await client.send("/stop")
    await client.press("Так, зупинити")
    assert "більше не отримуватимете" in client.text
    sink = Sink()
    await rcore.delivery_worker([sink]).run_once()
    assert any(m[0] == "worker" and "зупинено на прохання клієнта" in m[1] for m in sink.sent)
    async with rcore.db.sessions() as s:
        assert [o.state for o in (await s.execute(select(Occurrence))).scalars()] == ["cancelled"]
        assert (await s.execute(select(Outbox.state).where(Outbox.kind == "reminder"))).scalar_one() == "cancelled"
    await client.send("/stop")
    assert "не отримуєте нагадувань" in client.text


async def test_blocked_client_fails_cancels_and_tells_the_worker(rcore):
    worker, client, link = await linked_pair(rcore)
    await due_reminder(rcore, link)

    class Blocking(Sink):
        async def send(self, external_id, replies):
            if external_id == "client":
                return Outcome("blocked")
            return await super().send(external_id, replies)

    sink = Blocking()
    delivery = rcore.delivery_worker([sink])
    await delivery.run_once()
    await delivery.run_once()
    assert any("Бота заблоковано" in m[1] for m in sink.sent if m[0] == "worker")
    async with rcore.db.sessions() as s:
        occ = (await s.execute(select(Occurrence))).scalar_one()
        assert (occ.state, occ.reason) == ("failed", "blocked")
        assert (await s.get(ClientLink, link.id)).state == "stopped"
        assert (await repo.find_user(s, "console", "client")).blocked_at is not None
    assert "⚠️" in await _client_screen(worker) and "не доставлено (blocked)" in worker.text


async def test_workers_see_only_their_own_clients(rcore):
    worker, client, link = await linked_pair(rcore)
    async with rcore.db.sessions() as s, s.begin():
        token = await roles.create_invite(s, "social_worker")
    other = Chat(rcore, user="other-worker")
    await other.start(f"inv_{token}")
    await other.press("Прийняти")
    await other.press_payload(f"wclient:{link.id}")
    assert "застаріло" in other.text
    await other.press_payload(f"rnew:{link.id}")
    assert "застаріло" in other.text
    citizen = Chat(rcore, user="citizen")
    await citizen.press_payload(f"wclient:{link.id}")
    assert "застаріло" in citizen.text


async def test_forget_removes_the_link_and_tells_the_worker(rcore):
    worker, client, link = await linked_pair(rcore)
    await client.send("/forget")
    await client.press("Так, видалити")
    async with rcore.db.sessions() as s:
        assert await s.get(ClientLink, link.id) is None
    sink = Sink()
    await rcore.delivery_worker([sink]).run_once()
    notes = [m[1] for m in sink.sent if m[0] == "worker"]
    assert any("Ганна К." in n and "видалено" in n for n in notes), notes


async def test_import_from_a_spreadsheet_with_bad_rows(rcore, tmp_path):
    worker, client, link = await linked_pair(rcore)
    from bot.features.reminders.importer import import_reminders

    path = tmp_path / "reminders.csv"
    path.write_text(
        "Клієнт;Текст;Коли;Повтор;Терміново\n"
        "Ганна К.;Прийом у ЦНАП;01.12.2099 10:00;;\n"
        "ганна к.;Довідка про доходи;2099-12-05 09:30;before:3;так\n"
        "Петро;Візит;2099-12-01 10:00;;\n"
        "Ганна К.;;2099-12-01 10:00;;\n"
        "Ганна К.;Візит;завтра;;\n"
        "Ганна К.;Візит;2099-12-01 10:00;щороку;\n"
        "Ганна К.;Візит;01.01.2001 10:00;;\n",
        encoding="utf-8",
    )
    async with rcore.db.sessions() as s:
        worker_id = (await repo.find_user(s, "console", "worker")).id
    summary = await import_reminders(rcore.db, path, worker_id, Policy(KYIV))
    assert summary.imported == 2
    reasons = dict(summary.rejected)
    assert set(reasons) == {4, 5, 6, 7, 8}
    assert "no client named 'Петро'" in reasons[4] and "1 to 300" in reasons[5] and "cannot read" in reasons[6]
    assert "unknown repeat" in reasons[7] and "passed" in reasons[8]
    async with rcore.db.sessions() as s:
        occs = list((await s.execute(select(Occurrence).order_by(Occurrence.due_at))).scalars())
    local = [o.due_at.astimezone(KYIV) for o in occs]
    assert [(d.month, d.day, d.hour, d.minute) for d in local] == [(12, 1, 10, 0), (12, 2, 9, 30)]  # 3 days before the 5th
