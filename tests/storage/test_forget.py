"""/forget leaves nothing that can identify the person: no row, no derived key, no queued note about
them, no reused id, and (on SQLite) not a byte in the database or its write-ahead log."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.core.clock import ManualClock
from bot.features.feedback import store as feedback_store
from bot.features.feedback.models import FeedbackReceipt
from bot.features.reminders.models import ClientLink
from bot.features.status import store as apps
from storage import people
from storage.db import is_sqlite
from storage.models import Base, Outbox, StaffProfile
from tests.chat import Chat
from tests.conftest import make_app, make_settings
from tests.feedback_support import qr, take_survey
from tests.sinks import Sink

PERSON = "secret-person-7788"  # their chat id
ALIAS = "Ганна Квітуча"  # what their social worker calls them
HIGH = {"overall": 5, "waiting": 4, "staff": 5, "premises": 5, "solved": True}
NOON = dt.datetime(2026, 11, 30, 12, 0, tzinfo=ZoneInfo("Europe/Kyiv"))
KEY = "forget-test-key"


async def _make_client(app, worker_id: int, client_id: int) -> None:
    async with app.db.sessions() as s, s.begin():
        s.add(StaffProfile(user_id=worker_id, display_name="Олена Петрівна"))
        s.add(ClientLink(worker_id=worker_id, client_id=client_id, alias=ALIAS, state="active"))


async def _user_id(app, chat: Chat) -> int:
    async with app.db.sessions() as s:
        return (await people.find_user(s, chat.channel, chat.user)).id


def _files(url: str) -> list[Path]:
    from sqlalchemy.engine import make_url

    path = Path(make_url(url).database or "")
    return [p for p in path.parent.glob(path.name + "*") if p.is_file()]


async def test_forget_leaves_no_trace_and_the_id_is_never_given_again(db_url, test_kb):
    app = await make_app(make_settings(db_url, BOT_SECRET_KEY=KEY), test_kb, clock=ManualClock(NOON))
    try:
        async with app.db.sessions() as s, s.begin():
            await apps.upsert(s, apps.ApplicationUpdate(number="ЦН-1", status="received", secret="4821"), "t",
                              KEY.encode())
        worker = Chat(app, user="worker-1", channel="telegram")
        await worker.start()
        person = Chat(app, user=PERSON, channel="telegram", lang="en")
        await take_survey(person, HIGH, payload=qr())  # a feedback receipt (a keyed hash with their id)
        await person.send("/status")  # a failed lookup (counted against them)
        await person.send("ЦН-1")
        await person.send("0000")
        await person.send("/help")
        my_id = await _user_id(app, person)
        await _make_client(app, await _user_id(app, worker), my_id)

        await person.send("/forget")
        await person.press("Yes, delete")
        assert "deleted" in person.text
        if is_sqlite(db_url):  # at once: not in the write-ahead log either (nor in free pages)
            for path in _files(db_url):
                assert PERSON.encode() not in path.read_bytes(), f"{path.name} still has their chat id"
        sink = Sink()
        while await app.delivery_worker([Sink("telegram")] + [sink]).run_once():  # the worker is told, once
            pass

        offices = list(test_kb.offices)
        days = [NOON.date() - dt.timedelta(days=n) for n in range(3)]
        receipts = {feedback_store.receipt_key(KEY.encode(), my_id, o, d) for o in offices for d in days}
        async with app.db.engine.connect() as conn:
            for table in Base.metadata.sorted_tables:
                for row in (await conn.execute(table.select())).mappings():
                    seen = repr(dict(row))
                    assert PERSON not in seen and ALIAS not in seen, f"{table.name} still holds the person: {seen}"
                    assert f"user:{my_id}'" not in seen, f"{table.name} keeps a key made from their id: {seen}"
                    for column, value in row.items():
                        assert not (column.endswith("user_id") or column.endswith("client_id")) or value != my_id, table
                    if table.name == FeedbackReceipt.__tablename__:
                        assert row["key_hash"] not in receipts, "their feedback receipt is still there"
        async with app.db.sessions() as s:
            assert all(not o.payload or ALIAS not in repr(o.payload) for o in (await s.execute(select(Outbox))).scalars())

        if is_sqlite(db_url):  # not even in the file's free pages or the write-ahead log
            for path in _files(db_url):
                data = path.read_bytes()
                for secret in (PERSON, ALIAS):
                    assert secret.encode() not in data, f"{path.name} still has {secret!r}"

        newcomer = Chat(app, user="newcomer-1", channel="telegram", lang="en")
        await take_survey(newcomer, HIGH, payload=qr())
        assert "already left feedback" not in newcomer.text
        assert await _user_id(app, newcomer) > my_id  # a freed id is never handed out again
    finally:
        await app.close()
