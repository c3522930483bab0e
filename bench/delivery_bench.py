"""Delivery engine under load: many reminders due at once against the strict fake Bot API.

    .venv/bin/python bench/delivery_bench.py [--count 10000] [--processes 1] [--kills 0] [--postgres URL]

Fills the outbox with COUNT messages to COUNT different chats, starts PROCESSES
`run_bot.py deliver` processes against a fake Telegram that answers 429 above
30 messages/s (and 1/s per chat), optionally kill -9's a random process KILLS
times during the run (restarting it), and prints: messages per second, 429s
received, lost and duplicated messages.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from storage.db import open_database  # noqa: E402
from storage.models import Outbox, User, utcnow  # noqa: E402
from tests.fakes.telegram_api import FakeTelegram  # noqa: E402

BASE_CHAT = 10_000_000


async def fill(url: str, count: int) -> None:
    db = await open_database(url, create=True)
    try:
        async with db.sessions() as session, session.begin():
            now = utcnow()
            for start in range(0, count, 1000):
                chunk = range(start, min(count, start + 1000))
                await session.execute(insert(User), [
                    {"channel": "telegram", "external_id": str(BASE_CHAT + n), "lang": "uk", "privacy_seen": True,
                     "created_at": now, "last_seen_at": now} for n in chunk])
            ids = {u.external_id: u.id for u in (await session.execute(User.__table__.select())).all()}
            for start in range(0, count, 1000):
                await session.execute(insert(Outbox), [
                    {"user_id": ids[str(BASE_CHAT + n)], "channel": "telegram", "kind": "text",
                     "payload": {"text": f"Нагадування № {n}"}, "idempotency_key": f"bench:{n}", "due_at": now,
                     "state": "pending", "attempts": 0, "created_at": now}
                    for n in range(start, min(count, start + 1000))])
    finally:
        await db.dispose()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--kills", type=int, default=0)
    parser.add_argument("--postgres", default="", help="PostgreSQL URL (its public schema is reset)")
    parser.add_argument("--lease", type=float, default=10.0, help="seconds before a dead process's claims are retaken")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp()
    url = args.postgres or f"sqlite+aiosqlite:///{tmp}/bench.sqlite3"
    if args.postgres:
        import asyncpg

        conn = await asyncpg.connect(args.postgres.replace("postgresql+asyncpg://", "postgresql://"))
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        await conn.close()
    t0 = time.perf_counter()
    await fill(url, args.count)
    print(f"outbox filled with {args.count} messages in {time.perf_counter() - t0:.1f} s "
          f"({'PostgreSQL' if args.postgres else 'SQLite'})")

    async with FakeTelegram(global_rate=30, global_burst=30, chat_rate=1, chat_burst=1) as tg:
        tg._known_chats.update(BASE_CHAT + n for n in range(args.count))
        env = {**os.environ, "BOT_DATABASE_URL": url, "TELEGRAM_BOT_TOKEN": tg.token, "TELEGRAM_API_BASE": tg.base_url,
               "BOT_DELIVERY_POLL_SECONDS": "0.2", "BOT_DELIVERY_LEASE_SECONDS": str(args.lease), "BOT_LOG_LEVEL": "WARNING"}

        async def spawn():
            return await asyncio.create_subprocess_exec(
                sys.executable, "run_bot.py", "deliver", cwd=ROOT, env=env,
                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)

        procs = [await spawn() for _ in range(args.processes)]
        rng = random.Random(11)
        delivered = lambda: len({m.chat_id for m in tg.sent})  # noqa: E731
        kill_at = sorted(rng.uniform(0.1, 0.8) * args.count for _ in range(args.kills))
        kills = 0
        started = time.perf_counter()
        deadline = started + args.count / 10 + 120
        while delivered() < args.count and time.perf_counter() < deadline:
            await asyncio.sleep(0.2)
            if kill_at and len(tg.sent) >= kill_at[0]:
                kill_at.pop(0)
                victim = rng.randrange(len(procs))
                procs[victim].send_signal(signal.SIGKILL)
                await procs[victim].wait()
                kills += 1
                procs[victim] = await spawn()
        await asyncio.sleep(args.lease + 2 if args.kills else 1.0)  # let any duplicate surface
        for p in procs:
            p.send_signal(signal.SIGTERM)
        await asyncio.gather(*(p.wait() for p in procs))

        sent_times = [m for m in tg.sent]
        unique = delivered()
        first, last = tg.first_sent_at, tg.last_sent_at
        rate = len(sent_times) / (last - first) if last and first and last > first else 0.0
        too_many = sum(1 for e in tg.errors if e[1] == 429)
        print(f"processes: {args.processes}, kill -9: {kills}")
        print(f"delivered {unique} of {args.count}: lost {args.count - unique}, duplicated {len(tg.sent) - unique}")
        print(f"throughput {rate:.1f} messages/s (first to last send), 429 answers received: {too_many}")


if __name__ == "__main__":
    asyncio.run(main())
