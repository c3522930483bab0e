"""Application status: numbers, import, the lookup flow, guessing protection, the outbox."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select, text

from bot.delivery import outbox
from bot.delivery.sender import Outcome
from bot.features.status import store as apps
from bot.features.status.importer import ImportError_, import_file
from bot.features.status.models import Application, ApplicationEvent
from storage.models import Base, Outbox
from tests.chat import Chat
from tests.conftest import make_app, make_settings
from tests.sinks import Sink

KEY = b"test-secret-key"
ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    ("raw", "norm"),
    [
        ("ЦН-2026-00123", "CH202600123"),
        ("цн 2026 00123", "CH202600123"),
        ("ЦH/2026/00123", "CH202600123"),  # Latin H typed for Cyrillic Н
        ("CN-2026-00123", "CH202600123"),  # Latin letters for the Cyrillic prefix
        ("  ab-12 ", "AB12"),
        ("АВ-12", "AB12"),  # Cyrillic look-alikes
        ("№ 77.12", "7712"),
        ("", ""),
        (" - / ", ""),
    ],
)
def test_number_normalisation(raw, norm):
    assert apps.normalize_number(raw) == norm


def test_secrets_are_hashed_keyed_and_checked_in_constant_time():
    stored = apps.hash_secret("4821", KEY)
    assert "4821" not in stored and stored.startswith("hmac-sha256$")
    assert apps.verify_secret(" 4821 ", stored, KEY)
    assert not apps.verify_secret("4822", stored, KEY)
    assert not apps.verify_secret("4821", stored, b"another-key")  # useless without the server's key
    assert not apps.verify_secret("4821", None, KEY)
    assert apps.hash_secret("4821", KEY) != stored  # salted


@pytest.fixture
async def status_core(db_url, test_kb):
    core = await make_app(make_settings(db_url, BOT_SECRET_KEY=KEY.decode()), kb=test_kb)
    yield core
    await core.close()


async def put(core, number, status, secret="4821", note="", **kw):
    upd = apps.ApplicationUpdate(number=number, status=status, secret=secret, note=note, **kw)
    async with core.db.sessions() as s, s.begin():
        return await apps.upsert(s, upd, "test", KEY)


async def look_up(chat: Chat, number: str, secret: str) -> str:
    await chat.send("/status")
    if "Check another" in " ".join(chat.labels) or "Перевірити іншу" in " ".join(chat.labels):
        await chat.press("іншу")
    await chat.send(number)
    await chat.send(secret)
    return chat.text


async def test_lookup_card_follow_and_notification(status_core):
    core = status_core
    await put(core, "ЦН-2026-00126", "in_progress", expected_date=dt.date(2026, 12, 5), service_id="id-card")
    chat = Chat(core)
    await chat.start()
    card = await look_up(chat, "цн 2026 00126", "4821")
    assert "ЦН-2026-00126" in card and "Розглядається" in card and "5 грудня 2026" in card
    assert "вул. Тестова, 1" in card and "Історія" in card
    await chat.press("Повідомляти мене")
    assert chat.last[0].edit and "напишу вам" in chat.text

    sink = Sink()
    worker = core.delivery_worker([sink])
    change = await put(core, "ЦН-2026-00126", "ready")
    assert change.result == "changed" and change.notified == 1
    assert (await put(core, "ЦН-2026-00126", "ready")).result == "unchanged"  # the same update again
    await worker.run_once()
    await worker.run_once()
    assert len(sink.sent) == 1
    assert "ЦН-2026-00126" in sink.sent[0][1] and "Готово" in sink.sent[0][1]

    await chat.send("/status")  # "My applications" now lists it
    assert "№ ЦН-2026-00126 — Готово до видачі 🔔" in chat.text


async def test_unknown_number_and_wrong_secret_look_the_same_and_are_rate_limited(status_core):
    core = status_core
    await put(core, "A-1", "received", secret="1111")
    chat = Chat(core, user="guesser")
    await chat.start()
    wrong = (await look_up(chat, "A-1", "2222")).replace("A-1", "#")
    unknown = (await look_up(chat, "NO-SUCH-1", "1111")).replace("NO-SUCH-1", "#")
    assert wrong == unknown and "не знайшов заяви" in wrong
    for _ in range(4):
        await look_up(chat, "A-1", "3333")
    locked = await look_up(chat, "A-1", "1111")  # even the right code, once locked
    assert "Забагато невдалих спроб" in locked
    # Another person is not locked out by this person's guesses…
    other = Chat(core, user="owner")
    assert "Отримано" in await look_up(other, "A-1", "1111")


async def test_deep_link_from_a_receipt_asks_only_the_secret(status_core):
    core = status_core
    await put(core, "ЦН-2026-00200", "needs_documents", note="Бракує довідки про доходи")
    payload = apps.number_to_payload("ЦН-2026-00200")
    assert payload.startswith("app_") and len(payload) <= 64 and payload.isascii()
    chat = Chat(core)
    await chat.start(payload)
    assert "ЦН-2026-00200" in chat.text and "останні 4 цифри" in chat.text
    await chat.send("4821")
    assert "Бракує довідки про доходи" in chat.text and "Потрібні документи" in chat.text
    await chat.press("Назад")
    assert chat.text.startswith("Головне меню")
    await chat.start("app_%%%")
    assert "посилання застаріло" in chat.text.lower()


async def test_refusal_shows_reason_and_how_to_appeal(status_core):
    core = status_core
    await put(core, "R-1", "refused", note="Не подано документ про право власності")
    chat = Chat(core)
    card = await look_up(chat, "R-1", "4821")
    assert "Відмовлено" in card and "право власності" in card and "оскаржити" in card


async def test_forget_removes_followed_applications_but_not_the_cnap_record(status_core):
    core = status_core
    await put(core, "F-1", "received")
    chat = Chat(core, user="forgetful")
    await look_up(chat, "F-1", "4821")
    await chat.press("Повідомляти мене")
    await chat.send("/forget")
    await chat.press("Так, видалити")
    async with core.db.engine.connect() as conn:
        assert (await conn.execute(text("select count(*) from subscriptions"))).scalar() == 0
        assert (await conn.execute(text("select count(*) from applications"))).scalar() == 1
    change = await put(core, "F-1", "ready")
    assert change.notified == 0


async def test_outbox_claims_are_exclusive_and_expired_leases_are_retaken(status_core):
    core = status_core
    chat = Chat(core)
    await chat.start()
    async with core.db.sessions() as s, s.begin():
        from storage import people as repo

        user = await repo.find_user(s, "console", "u1")
        for n in range(30):  # to 30 people: one person's messages go out one at a time, in order
            person, _ = await repo.get_or_create_user(s, "console", f"p{n}")
            assert await outbox.enqueue(s, user_id=person.id, channel="console", kind="text", payload={"text": f"m{n}"}, key=f"k{n}")
        assert not await outbox.enqueue(s, user_id=user.id, channel="console", kind="text", payload={}, key="k0")
    batches = await asyncio.gather(*(outbox.claim(core.db, ["console"], limit=7) for _ in range(6)))
    ids = [r.id for b in batches for r in b]
    assert len(ids) == len(set(ids)) == 30  # every row claimed once, none twice
    assert await outbox.claim(core.db, ["console"]) == []  # all leased
    async with core.db.sessions() as s, s.begin():  # a crashed process: its leases run out
        await s.execute(Outbox.__table__.update().values(claimed_until=dt.datetime(2000, 1, 1, tzinfo=dt.UTC)))
    again = await outbox.claim(core.db, ["console"], limit=100)
    assert len(again) == 30 and all(r.attempts == 2 for r in again)


async def test_blocked_recipient_fails_and_cancels_the_rest(status_core):
    core = status_core
    await put(core, "X-1", "received")
    await put(core, "X-2", "received")
    chat = Chat(core, user="blocker")
    for number in ("X-1", "X-2"):
        await look_up(chat, number, "4821")
        await chat.press("Повідомляти мене")
    await put(core, "X-1", "ready")
    await put(core, "X-2", "ready")
    worker = core.delivery_worker([Sink(outcome=Outcome("blocked"))], batch=1)
    await worker.run_once()
    async with core.db.sessions() as s:
        states = sorted((await s.execute(select(Outbox.state))).scalars())
    assert states == ["cancelled", "failed"]


async def test_temporary_errors_are_retried_with_backoff(status_core):
    core = status_core
    await put(core, "T-1", "received")
    chat = Chat(core)
    await look_up(chat, "T-1", "4821")
    await chat.press("Повідомляти мене")
    await put(core, "T-1", "ready")
    flaky = Sink(outcome=Outcome("retry", retry_after=30, error="429"))
    worker = core.delivery_worker([flaky])
    assert await worker.run_once() == 1
    assert await worker.run_once() == 0  # not due again yet
    async with core.db.sessions() as s:
        row = (await s.execute(select(Outbox))).scalar_one()
    assert row.state == "pending" and row.attempts == 1 and row.last_error == "429"
    assert row.due_at.replace(tzinfo=dt.UTC) - dt.datetime.now(dt.UTC) > dt.timedelta(seconds=25)


def _write_xlsx(path: Path, rows: list[list]) -> None:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    wb.save(path)


async def test_import_csv_and_xlsx_with_bad_rows_is_idempotent(status_core, tmp_path):
    core = status_core
    csv_path = tmp_path / "statuses.csv"
    csv_path.write_text(
        "Номер;Статус;Примітка;Очікувана дата;Телефон\n"
        "ЦН-1;Прийнято;;01.12.2026;+380671234567\n"
        "ЦН-2;щось дивне;;;0501112233\n"
        ";ready;;;\n"
        "ЦН-3;ready;;31.02.2026;0501112233\n"
        "ЦН-4;в роботі;;2026-12-03;12\n"
        "цн 1;ready;;;\n",
        encoding="utf-8",
    )
    summary = await import_file(core.db, csv_path, kb=core.kb, key=KEY)
    assert (summary.added, summary.changed, summary.unchanged) == (1, 0, 0)
    reasons = dict(summary.rejected)
    assert set(reasons) == {3, 4, 5, 6, 7}
    assert "unknown status" in reasons[3] and "empty" in reasons[4] and "date" in reasons[5]
    assert "fewer than 4 digits" in reasons[6] and "already on line 2" in reasons[7]

    xlsx = tmp_path / "statuses.xlsx"
    _write_xlsx(xlsx, [["number", "status", "expected_date", "service_id", "secret"],
                       ["ЦН-1", "ready", dt.datetime(2026, 12, 1), "id-card", "4567"],
                       ["ЦН-5", "issued", None, "no-such-service", "1234"],
                       ["ЦН-6", "received", None, None, "9999"]])
    summary = await import_file(core.db, xlsx, kb=core.kb, key=KEY)
    assert (summary.added, summary.changed, summary.rejected) == (1, 1, [(3, "unknown service id 'no-such-service'")])
    again = await import_file(core.db, xlsx, kb=core.kb, key=KEY)
    assert (again.added, again.changed, again.unchanged) == (0, 0, 2)

    async with core.db.sessions() as s:
        app = await apps.find(s, "ЦН-1")
        events = await apps.history(s, app.id)
        assert [e.status for e in events] == ["received", "ready"]
        assert app.expected_date == dt.date(2026, 12, 1)
        assert apps.verify_secret("4567", app.secret_hash, KEY)  # the file's secret replaced the phone's
    async with core.db.engine.connect() as conn:  # the phone number itself is stored nowhere
        for table in Base.metadata.sorted_tables:
            for row in (await conn.execute(table.select())).all():
                assert "1234567" not in repr(row) and "4567" not in repr(row), table.name


async def test_import_rejects_files_it_cannot_read(status_core, tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"this is not a zip file")
    with pytest.raises(ImportError_, match="Excel"):
        await import_file(status_core.db, bad, kb=None, key=KEY)
    no_header = tmp_path / "h.csv"
    no_header.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(ImportError_, match="'number' and 'status'"):
        await import_file(status_core.db, no_header, kb=None, key=KEY)
    with pytest.raises(ImportError_, match=".csv or .xlsx"):
        await import_file(status_core.db, tmp_path / "x.pdf", kb=None, key=KEY)


async def test_sample_file_imports_cleanly(status_core):
    summary = await import_file(status_core.db, ROOT / "examples" / "statuses-sample.csv", kb=None, key=KEY)
    assert summary.added == 5 and not summary.rejected
    async with status_core.db.sessions() as s:
        assert (await s.execute(select(func.count()).select_from(ApplicationEvent))).scalar_one() == 5
        assert (await s.execute(select(func.count()).select_from(Application))).scalar_one() == 5
