"""Two `run_bot.py deliver` processes on one PostgreSQL against a Bot API that counts strictly.

The API allows 30 messages in any sliding second, and in the middle of the run it hangs for longer
than the delivery lease: a process must keep its claim while its call is in flight, and a row must
never be sent by both. Counts are exact: every message once, none refused with 429.
"""

from __future__ import annotations

import asyncio

from sqlalchemy import func, insert, select

from storage.db import open_database
from storage.models import Outbox, User, utcnow
from tests.fakes.telegram_api import FakeTelegram
from tests.processes import BotProcess

COUNT, BASE_CHAT, LEASE = 150, 8_000_000, 2.0


async def _fill(url: str) -> None:
    db = await open_database(url, create=True)
    try:
        async with db.sessions() as session, session.begin():
            now = utcnow()
            await session.execute(insert(User), [
                {"channel": "telegram", "external_id": str(BASE_CHAT + n), "lang": "uk", "privacy_seen": True,
                 "created_at": now, "last_seen_at": now} for n in range(COUNT)])
            ids = dict((await session.execute(select(User.external_id, User.id))).all())
            await session.execute(insert(Outbox), [
                {"user_id": ids[str(BASE_CHAT + n)], "channel": "telegram", "kind": "text",
                 "payload": {"text": f"Нагадування № {n}"}, "idempotency_key": f"chaos:{n}", "due_at": now,
                 "state": "pending", "attempts": 0, "created_at": now} for n in range(COUNT)])
    finally:
        await db.dispose()


async def _unsettled(url: str) -> int:
    db = await open_database(url, migrate=False)
    try:
        async with db.sessions() as session:
            stmt = select(func.count()).select_from(Outbox).where(Outbox.state.in_(("pending", "sending")))
            return int((await session.execute(stmt)).scalar_one())
    finally:
        await db.dispose()


async def test_two_processes_with_an_api_hanging_past_the_lease_send_each_message_once_without_429(postgres_url):
    await _fill(postgres_url)
    async with FakeTelegram(global_rate=30, global_burst=30, window=30, chat_rate=1, chat_burst=1) as tg:
        for n in range(COUNT):
            tg.start_chat(BASE_CHAT + n)
        env = {"BOT_DATABASE_URL": postgres_url, "TELEGRAM_BOT_TOKEN": tg.token, "TELEGRAM_API_BASE": tg.base_url,
               "BOT_DELIVERY_LEASE_SECONDS": str(LEASE), "BOT_DELIVERY_POLL_SECONDS": "0.2"}
        processes = [BotProcess(["run_bot.py", "deliver"], env) for _ in range(2)]
        for p in processes:
            await p.start(wait_port=False)
        try:
            await tg.wait_until(lambda: len(tg.sent) >= COUNT // 3, timeout=60)
            tg.hang()
            await tg.wait_until(lambda: tg.hung > 0, timeout=10)
            await asyncio.sleep(LEASE * 2.5)  # the calls stay open well past the lease
            tg.come_back()
            for _ in range(300):  # until every row is settled: nothing more can be sent after that
                if not await _unsettled(postgres_url):
                    break
                await asyncio.sleep(0.2)
        finally:
            codes = [await p.stop() for p in processes]
    delivered = {m.chat_id for m in tg.sent}
    too_many = sum(1 for e in tg.errors if e[1] == 429)
    lost, repeated = COUNT - len(delivered), len(tg.sent) - len(delivered)
    assert (lost, repeated, too_many) == (0, 0, 0), (processes[0].log[-2000:], processes[1].log[-2000:])
    assert codes == [0, 0]
