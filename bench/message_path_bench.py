"""The message path: CPU per update against a bare aiogram echo bot, and the console's start, each
measured in the same run as a baseline (an older checkout, e.g. `git archive main | tar -x -C /tmp/base`).

    .venv/bin/python bench/message_path_bench.py cpu [--updates 1500] [--users 16] [--baseline DIR]
    .venv/bin/python bench/message_path_bench.py console [--runs 5] [--baseline DIR]

Starts each contender as a real process behind its webhook — the aiogram echo bot (bench/echo_bot.py),
today's code (`--baseline DIR`: a checkout of an older commit, e.g. `git worktree add /tmp/base main`) and
this checkout's `run_bot.py serve` — against the fake Bot API without rate limits, plays USERS people who
each send an update and wait for the answer (texts, commands and button presses), and prints the CPU the
bot process spent per update (user + system, after a warm-up) and its ratio to the echo bot's.

`console`: from starting `run_bot.py console` to its first reply on the screen (the median of RUNS).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.support import ROOT, SECRET, BotProcess, post_update
from tests.fakes.telegram_api import FakeTelegram

TEXTS = ["субсидія", "/help", "паспорт", "/menu", "довідка ВПО", "прописка", "пенсія", "садочок", "/status", "ФОП"]
UNLIMITED = dict(global_rate=1e9, global_burst=1e9, chat_rate=1e9, chat_burst=1e9)


def activity(tg: FakeTelegram, chat: int) -> int:
    return sum(1 + m.edits for m in tg.messages(chat))


async def play(tg: FakeTelegram, http: aiohttp.ClientSession, url: str, chat: int, steps: int, rng: random.Random,
               presses: bool, done: list[int]) -> None:
    for step in range(steps):
        before = activity(tg, chat)
        pressable = [m for m in tg.messages(chat) if any("callback_data" in b for b in m.buttons())]
        if presses and step and pressable and rng.random() < 0.4:
            message = pressable[-1]
            label = rng.choice([b["text"] for b in message.buttons() if "callback_data" in b])
            update = tg.press_update(message, label)
        else:
            update = tg.text_update(chat, "/start" if step == 0 else rng.choice(TEXTS))
        status = await post_update(http, url, update)
        if status != 200:
            raise RuntimeError(f"webhook answered {status}")
        await tg.wait_until(lambda before=before: activity(tg, chat) > before, timeout=60)
        done[0] += 1


async def measure(name: str, root: Path, args: list[str], env: dict[str, str], updates: int, users: int,
                  presses: bool) -> float:
    async with FakeTelegram(**UNLIMITED) as tg:
        bot = BotProcess(args, {**env, "TELEGRAM_BOT_TOKEN": tg.token, "TELEGRAM_API_BASE": tg.base_url,
                                "TELEGRAM_WEBHOOK_SECRET": SECRET}, root=root)
        await bot.start()
        try:
            async with aiohttp.ClientSession() as http:
                warm = [0]
                await asyncio.gather(*(play(tg, http, bot.base + "/telegram/webhook", 900_000 + n, 5, random.Random(n), presses, warm)
                                       for n in range(users)))
                await asyncio.sleep(1.0)
                done = [0]
                cpu0, t0 = bot.cpu(), time.perf_counter()
                steps = max(1, updates // users)
                await asyncio.gather(*(play(tg, http, bot.base + "/telegram/webhook", 100_000 + n, steps, random.Random(n), presses, done)
                                       for n in range(users)))
                wall = time.perf_counter() - t0
                cpu = bot.cpu() - cpu0
        finally:
            await bot.stop()
    per = cpu / done[0]
    print(f"{name:<28} {done[0]:>5} updates in {wall:5.1f} s: CPU {per * 1000:6.2f} ms per update")
    return per


async def init_db(root: Path, url: str) -> None:
    """Create the contender's database with its own code (`db init`; older code creates one on start)."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "run_bot.py", "db", "init", cwd=root, env={**os.environ, "BOT_DATABASE_URL": url,
                                                                   "PYTHONPATH": str(root)},
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
    await proc.wait()


async def cpu(args: argparse.Namespace) -> None:
    tmp = Path(tempfile.mkdtemp())
    common = {"BOT_LOG_LEVEL": "WARNING", "BOT_TELEGRAM_RATE": "100000", "BOT_TELEGRAM_CHAT_BURST": "100000",
              "BOT_SECRET_KEY": "bench"}
    echo = await measure("aiogram echo (yardstick)", ROOT, ["bench/echo_bot.py"], common, args.updates, args.users,
                         presses=False)
    rows = []
    ours_db = f"sqlite+aiosqlite:///{tmp}/ours.sqlite3"
    await init_db(ROOT, ours_db)
    if args.baseline:
        base_db = f"sqlite+aiosqlite:///{tmp}/base.sqlite3"
        await init_db(Path(args.baseline), base_db)
        base = await measure("baseline serve", Path(args.baseline), ["run_bot.py", "serve"],
                             {**common, "BOT_DATABASE_URL": base_db}, args.updates, args.users, presses=True)
        rows.append(("baseline", base))
    ours = await measure("this checkout serve", ROOT, ["run_bot.py", "serve"],
                         {**common, "BOT_DATABASE_URL": ours_db},
                         args.updates, args.users, presses=True)
    rows.append(("this checkout", ours))
    for name, value in rows:
        print(f"{name}: {value / echo:.1f} × the echo bot's CPU per update (target ≤ 5 ×)")


async def first_reply(root: Path, url: str) -> float:
    """Seconds from starting the console to the end of its first reply (the menu)."""
    env = {**os.environ, "BOT_DATABASE_URL": url, "PYTHONPATH": str(root)}
    env.pop("TELEGRAM_BOT_TOKEN", None)
    t0 = time.perf_counter()
    proc = await asyncio.create_subprocess_exec(sys.executable, "run_bot.py", "console", "--user", "bench", cwd=root,
                                                env=env, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
    assert proc.stdout is not None and proc.stdin is not None
    out = b""
    while b"[1]" not in out or not out.endswith(b"\n\n"):
        chunk = await proc.stdout.read(4096)
        if not chunk:
            break
        out += chunk
    took = time.perf_counter() - t0
    proc.stdin.close()
    await proc.wait()
    return took


async def console(args: argparse.Namespace) -> None:
    tmp = Path(tempfile.mkdtemp())
    contenders = [("this checkout", ROOT)] + ([("baseline", Path(args.baseline))] if args.baseline else [])
    for name, root in contenders:
        url = f"sqlite+aiosqlite:///{tmp}/{name.replace(' ', '-')}.sqlite3"
        await first_reply(root, url)  # creates the database; files in the OS cache
        times = sorted([await first_reply(root, url) for _ in range(args.runs)])
        print(f"{name}: console start to first reply {statistics.median(times):.2f} s (median of {args.runs}; "
              f"{times[0]:.2f}–{times[-1]:.2f}) (target ≤ 1.0 s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="what", required=True)
    p = sub.add_parser("cpu")
    p.add_argument("--updates", type=int, default=1500)
    p.add_argument("--users", type=int, default=20)
    p.add_argument("--baseline", default="", help="a checkout of the code to compare with (today's main)")
    p = sub.add_parser("console")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--baseline", default="", help="a checkout of the code to compare with (today's main)")
    args = parser.parse_args()
    asyncio.run({"cpu": cpu, "console": console}[args.what](args))


if __name__ == "__main__":
    main()
