"""How fast the conversation core takes events: throughput and latency at a given number in flight.

    .venv/bin/python bench/core_bench.py [--in-flight 16] [--seconds 10] [--processes 1] [--postgres URL]
    .venv/bin/python bench/core_bench.py --scaling --postgres URL      # 1 vs 2 processes at 4 and 16 in flight
    .venv/bin/python bench/core_bench.py --code /tmp/base …             # the same against another checkout

Plays people through the main menu, search, service cards and checklists against a real database (a
temporary SQLite file; PostgreSQL if a URL is given), the way a messenger's update is taken: recorded
by its id, handled, its answers queued in the outbox, in one transaction (`Engine.process`). IN_FLIGHT
people per process each send their next event as soon as the last was taken. Prints events per second
and p50/p99 latency; with several processes (separate OS processes on one database), their sum.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CODE = Path(sys.argv[sys.argv.index("--code") + 1]).resolve() if "--code" in sys.argv else ROOT
sys.path.insert(0, str(CODE))  # the bot's code under test (an older checkout can be compared in the same run)

QUERIES = ["субсидія", "прописка", "паспорт", "довідка ВПО", "пенсія", "садочок", "ФОП", "витяг з кадастру"]


async def person(core, uid: str, until: float, latencies: list[float], rng: random.Random, keys) -> None:
    from bot.core.events import Incoming

    durable = hasattr(core.engine, "process")  # older code: Engine.handle only

    async def take(event: Incoming):
        t0 = time.perf_counter()
        if durable:
            replies = (await core.engine.process(event, key=str(next(keys)), queue=True)).replies
        else:
            replies = await core.handle(event)
        latencies.append(time.perf_counter() - t0)
        return replies

    replies = await take(Incoming("telegram", uid, "start"))
    while time.perf_counter() < until:
        buttons = [b for r in replies for b in r.all_buttons() if b.payload]
        if rng.random() < 0.3 or not buttons:
            replies = await take(Incoming("telegram", uid, "text", text=rng.choice(QUERIES)))
        else:
            replies = await take(Incoming("telegram", uid, "button", payload=rng.choice(buttons).payload))


async def worker(url: str, in_flight: int, seconds: float, tag: str, warmup: float = 2.0) -> dict:
    """One process: warm up, then IN_FLIGHT people for SECONDS; the latencies of the measured part."""
    from bot.app import build_app
    from bot.config import Settings

    try:
        core = await build_app(Settings(_env_file=None, BOT_DATABASE_URL=url), create=True)
    except TypeError:  # older code creates the database by itself
        core = await build_app(Settings(_env_file=None, BOT_DATABASE_URL=url))
    keys = itertools.count(int(time.time() * 1000) * 1000 + os.getpid() % 1000 * 10**9)
    try:
        warm: list[float] = []
        until = time.perf_counter() + warmup
        await asyncio.gather(*(person(core, f"{tag}w{n}", until, warm, random.Random(n), keys) for n in range(in_flight)))
        if os.environ.get("BENCH_GO"):  # several processes: start together (the parent says "go" on stdin)
            await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        latencies: list[float] = []
        cpu0, start = time.process_time(), time.perf_counter()
        until = start + seconds
        await asyncio.gather(*(person(core, f"{tag}p{n}", until, latencies, random.Random(100 + n), keys)
                               for n in range(in_flight)))
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu0
    finally:
        await core.close()
    return {"events": len(latencies), "wall": wall, "cpu": cpu, "latencies": latencies}


async def run(url: str, in_flight: int, seconds: float, processes: int) -> dict:
    if processes == 1:
        return await worker(url, in_flight, seconds, "solo")
    procs = [await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--child", "--url", url, "--in-flight", str(in_flight), "--seconds", str(seconds),
        "--tag", f"c{n}", "--code", str(CODE), cwd=CODE, env={**os.environ, "BENCH_GO": "1"},
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE) for n in range(processes)]
    await asyncio.sleep(2.0 + 8.0)  # start-up and warm-up of every process (they wait for "go" after it)
    for p in procs:
        assert p.stdin is not None
        p.stdin.write(b"go\n")
        await p.stdin.drain()
    outs = [json.loads((await p.communicate())[0]) for p in procs]
    return {"events": sum(o["events"] for o in outs), "wall": max(o["wall"] for o in outs),
            "cpu": sum(o["cpu"] for o in outs), "latencies": [x for o in outs for x in o["latencies"]]}


def describe(label: str, r: dict) -> float:
    lat = sorted(r["latencies"])
    q = statistics.quantiles(lat, n=100)
    rate = r["events"] / r["wall"]
    print(f"{label}: {r['events']} events in {r['wall']:.1f} s = {rate:.0f} events/s; "
          f"latency p50 {q[49] * 1000:.1f} ms, p99 {q[98] * 1000:.1f} ms; CPU {r['cpu'] / r['events'] * 1000:.2f} ms/event")
    return rate


async def reset_postgres(url: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    await conn.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--in-flight", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--postgres", default="", help="PostgreSQL URL (its public schema is reset)")
    parser.add_argument("--scaling", action="store_true", help="1 and 2 processes at 4 and 16 in flight")
    parser.add_argument("--code", default=str(ROOT), help="the checkout whose bot is measured (default: this one)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--url", default="", help=argparse.SUPPRESS)
    parser.add_argument("--tag", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(await worker(args.url, args.in_flight, args.seconds, args.tag, warmup=6.0)))
        return
    url = args.postgres or f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    backend = "PostgreSQL" if args.postgres else "SQLite"
    if args.postgres:
        await reset_postgres(url)
    if not args.scaling:
        describe(f"{backend}, {args.processes} process(es) × {args.in_flight} in flight",
                 await run(url, args.in_flight, args.seconds, args.processes))
        return
    for in_flight in (4, 16):
        one = describe(f"{backend}, 1 process × {in_flight} in flight", await run(url, in_flight, args.seconds, 1))
        two = describe(f"{backend}, 2 processes × {in_flight} in flight", await run(url, in_flight, args.seconds, 2))
        print(f"  2 processes / 1 process at {in_flight} in flight: {two / one:.2f} × (target ≥ 1.7 ×)")


if __name__ == "__main__":
    asyncio.run(main())
