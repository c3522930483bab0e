"""The message path under load: CPU per update, against a bare aiogram echo bot measured in the same run.

    .venv/bin/python bench/message_path_bench.py cpu [--updates 1500] [--users 20] [--baseline DIR]

Starts each contender as a real process behind its webhook — the aiogram echo bot (bench/echo_bot.py),
today's code (`--baseline DIR`: a checkout of an older commit, e.g. `git worktree add /tmp/base main`) and
this checkout's `run_bot.py serve` — against the fake Bot API without rate limits, plays USERS people who
each send an update and wait for the answer (texts, commands and button presses), and prints the CPU the
bot process spent per update (user + system, after a warm-up) and its ratio to the echo bot's.
"""

from __future__ import annotations

import argparse
import asyncio
import random
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


async def cpu(args: argparse.Namespace) -> None:
    tmp = Path(tempfile.mkdtemp())
    common = {"BOT_LOG_LEVEL": "WARNING", "BOT_TELEGRAM_RATE": "100000", "BOT_TELEGRAM_CHAT_RATE": "100000",
              "BOT_SECRET_KEY": "bench"}
    echo = await measure("aiogram echo (yardstick)", ROOT, ["bench/echo_bot.py"], common, args.updates, args.users,
                         presses=False)
    rows = []
    if args.baseline:
        base = await measure("baseline serve", Path(args.baseline), ["run_bot.py", "serve"],
                             {**common, "BOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp}/base.sqlite3"},
                             args.updates, args.users, presses=True)
        rows.append(("baseline", base))
    ours = await measure("this checkout serve", ROOT, ["run_bot.py", "serve"],
                         {**common, "BOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp}/ours.sqlite3"},
                         args.updates, args.users, presses=True)
    rows.append(("this checkout", ours))
    for name, value in rows:
        print(f"{name}: {value / echo:.1f} × the echo bot's CPU per update (target ≤ 5 ×)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="what", required=True)
    p = sub.add_parser("cpu")
    p.add_argument("--updates", type=int, default=1500)
    p.add_argument("--users", type=int, default=20)
    p.add_argument("--baseline", default="", help="a checkout of the code to compare with (today's main)")
    args = parser.parse_args()
    asyncio.run({"cpu": cpu}[args.what](args))


if __name__ == "__main__":
    main()
