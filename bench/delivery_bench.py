"""Delivery under load and faults: many messages due at once against the strict fake Bot API.

    .venv/bin/python bench/delivery_bench.py [--count 2000] [--processes 2] [--kills 3] [--hang 8]
                                             [--lease 5] [--postgres URL]

Fills the outbox with COUNT messages to COUNT chats, starts PROCESSES `run_bot.py deliver` processes
against a fake Telegram that refuses (429) a 31st message within any sliding second and more than one a
second per chat, kill -9's a random process KILLS times (restarting it), and once makes every API call
hang for HANG seconds (longer than the lease). Prints: lost, duplicated (and whether each duplicate was a
message on its way to Telegram when its process was killed — the one case a repeat is allowed), 429s,
and messages per second while the API answered.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import signal
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select  # noqa: E402

from storage.db import open_database  # noqa: E402
from storage.models import Outbox, User, utcnow  # noqa: E402
from tests.fakes.telegram_api import FakeTelegram  # noqa: E402
from tests.processes import BotProcess  # noqa: E402

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
            ids = dict((await session.execute(select(User.external_id, User.id))).all())
            for start in range(0, count, 1000):
                await session.execute(insert(Outbox), [
                    {"user_id": ids[str(BASE_CHAT + n)], "channel": "telegram", "kind": "text",
                     "payload": {"text": f"Нагадування № {n}"}, "idempotency_key": f"bench:{n}", "due_at": now,
                     "order_at": now, "state": "pending", "attempts": 0, "created_at": now}
                    for n in range(start, min(count, start + 1000))])
    finally:
        await db.dispose()


async def on_the_wire(url: str, tg: FakeTelegram) -> set[int]:
    """Chats whose message Telegram has while its row still says "sending": a kill now repeats those."""
    db = await open_database(url, migrate=False)
    try:
        async with db.sessions() as session:
            rows = (await session.execute(select(User.external_id).join(Outbox, Outbox.user_id == User.id)
                                          .where(Outbox.state == "sending"))).scalars().all()
    finally:
        await db.dispose()
    have = {m.chat_id for m in tg.sent}
    return {int(chat) for chat in rows} & have


async def open_rows(url: str) -> int:
    db = await open_database(url, migrate=False)
    try:
        async with db.sessions() as session:
            return len((await session.execute(select(Outbox.id).where(Outbox.state.in_(("pending", "sending")))))
                       .scalars().all())
    finally:
        await db.dispose()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--kills", type=int, default=3)
    parser.add_argument("--hang", type=float, default=8.0, help="seconds the API hangs once (0: never)")
    parser.add_argument("--lease", type=float, default=5.0, help="BOT_DELIVERY_LEASE_SECONDS")
    parser.add_argument("--postgres", default="", help="PostgreSQL URL (its public schema is reset)")
    args = parser.parse_args()

    url = args.postgres or f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    if args.postgres:
        from bench.core_bench import reset_postgres

        await reset_postgres(url)
    t0 = time.perf_counter()
    await fill(url, args.count)
    print(f"outbox filled with {args.count} messages in {time.perf_counter() - t0:.1f} s "
          f"({'PostgreSQL' if args.postgres else 'SQLite'}), {args.processes} process(es)")

    async with FakeTelegram(global_rate=30, global_burst=30, window=30, chat_rate=1, chat_burst=1) as tg:
        for n in range(args.count):
            tg.start_chat(BASE_CHAT + n)
        env = {"BOT_DATABASE_URL": url, "TELEGRAM_BOT_TOKEN": tg.token, "TELEGRAM_API_BASE": tg.base_url,
               "BOT_DELIVERY_POLL_SECONDS": "0.2", "BOT_DELIVERY_LEASE_SECONDS": str(args.lease)}
        procs = [BotProcess(["run_bot.py", "deliver"], env) for _ in range(args.processes)]
        for p in procs:
            await p.start(wait_port=False)
        rng = random.Random(11)
        events = sorted([(rng.uniform(0.1, 0.9), "kill") for _ in range(args.kills)]
                        + ([(0.5, "hang")] if args.hang else []))
        repeatable: set[int] = set()  # chats whose message was on the wire at a kill
        kill_times: list[float] = []
        hung_for = 0.0
        delivered = lambda: len({m.chat_id for m in tg.sent})  # noqa: E731
        deadline = time.perf_counter() + args.count / 10 + 300
        while time.perf_counter() < deadline:
            if delivered() >= args.count and not await open_rows(url):
                break
            await asyncio.sleep(0.2)
            if events and delivered() >= events[0][0] * args.count:
                _, what = events.pop(0)
                if what == "hang":
                    tg.hang()
                    began = time.perf_counter()
                    await asyncio.sleep(args.hang)
                    tg.come_back()
                    hung_for += time.perf_counter() - began
                else:
                    victim = rng.randrange(len(procs))
                    kill_times.append(time.monotonic())
                    procs[victim].send_signal(signal.SIGKILL)
                    await procs[victim].wait()
                    repeatable |= await on_the_wire(url, tg)
                    procs[victim] = BotProcess(["run_bot.py", "deliver"], env)
                    await procs[victim].start(wait_port=False)
        codes = [await p.stop() for p in procs]

        unique = delivered()
        seen: dict[int, int] = {}
        for m in tg.sent:
            seen[m.chat_id] = seen.get(m.chat_id, 0) + 1
        repeated = {chat for chat, n in seen.items() if n > 1}
        span = (tg.last_sent_at - tg.first_sent_at) - hung_for
        too_many = sum(1 for e in tg.errors if e[1] == 429)
        gaps = [(round(a - tg.first_sent_at, 1), round(b - a, 1)) for a, b in zip(tg.sent_times, tg.sent_times[1:])
                if b - a > 0.5]
        kills_at = [round(k - tg.first_sent_at, 1) for k in kill_times]
    print(f"kill -9: {args.kills} (at {kills_at} s); API hung once for {args.hang:.0f} s (lease {args.lease:.0f} s); "
          f"exit codes after SIGTERM {codes}")
    print(f"delivered {unique} of {args.count}: lost {args.count - unique}, duplicated {len(tg.sent) - unique} "
          f"(of them on their way at a kill: {len(repeated & repeatable)}; any other: {len(repeated - repeatable)})")
    print(f"429 answers: {too_many}; throughput {len(tg.sent) / span:.1f} messages/s while the API answered")
    print(f"pauses over 0.5 s between two messages (at s, for s): {gaps}")


if __name__ == "__main__":
    asyncio.run(main())
