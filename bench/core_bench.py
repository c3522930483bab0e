"""How fast the conversation core answers: events per second and latency per event.

    .venv/bin/python bench/core_bench.py [--events 2000] [--users 50] [--postgres URL]

Plays many people through the main menu, search, a service card and a checklist
tick against a real database (a temporary SQLite file; PostgreSQL if a URL is
given) and prints throughput and p50/p99 latency of `BotCore.handle`.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.app import build_app
from bot.config import Settings
from bot.core.events import Incoming

QUERIES = ["субсидія", "прописка", "паспорт", "довідка ВПО", "пенсія", "садочок", "ФОП", "витяг з кадастру"]


async def person(core, uid: str, steps: int, latencies: list[float], rng: random.Random) -> None:
    async def handle(event: Incoming):
        t0 = time.perf_counter()
        replies = await core.handle(event)
        latencies.append(time.perf_counter() - t0)
        return replies

    replies = await handle(Incoming("bench", uid, "start"))
    for _ in range(steps):
        buttons = [b for r in replies for b in r.all_buttons() if b.payload]
        if rng.random() < 0.3 or not buttons:
            replies = await handle(Incoming("bench", uid, "text", text=rng.choice(QUERIES)))
        else:
            replies = await handle(Incoming("bench", uid, "button", payload=rng.choice(buttons).payload))


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--postgres", default="")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        url = args.postgres or f"sqlite+aiosqlite:///{tmp}/bench.sqlite3"
        t0 = time.perf_counter()
        core = await build_app(Settings(_env_file=None, BOT_DATABASE_URL=url), create=True)
        startup = time.perf_counter() - t0
        latencies: list[float] = []
        rng = random.Random(7)
        steps = max(1, args.events // args.users - 1)
        t0 = time.perf_counter()
        await asyncio.gather(*(person(core, f"u{n}", steps, latencies, rng) for n in range(args.users)))
        wall = time.perf_counter() - t0
        await core.close()

    latencies.sort()
    q = statistics.quantiles(latencies, n=100)
    backend = "PostgreSQL" if args.postgres else "SQLite"
    print(f"core on {backend}: start-up (migrations + KB + search index) {startup * 1000:.0f} ms")
    print(f"{len(latencies)} events from {args.users} concurrent people in {wall:.2f} s: {len(latencies) / wall:.0f} events/s")
    print(f"latency per event: p50 {q[49] * 1000:.1f} ms, p99 {q[98] * 1000:.1f} ms, max {latencies[-1] * 1000:.1f} ms")


if __name__ == "__main__":
    asyncio.run(main())
