"""Updates in flight when `run_bot.py serve` is stopped or killed, over several runs.

    .venv/bin/python bench/intake_bench.py [--runs 3] [--people 50] [--per-person 4] [--paced]

Each run is the chaos test of tests/chaos/test_intake.py: PEOPLE × PER_PERSON updates pushed to the
webhook the way Telegram pushes them, SIGTERM (or kill -9) when half were answered, a restart. Prints per
run: lost, repeated (and how many repeats a kill allows: messages on their way to Telegram at the kill),
people answered out of order, and the exit code after the signal. Without limits by default (the most
messages on their way at a kill); `--paced`: Telegram's limits, enforced strictly, and the bot's pacing.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from knowledge.loader import load_kb
from tests.chaos.test_intake import scenario


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--people", type=int, default=50)
    parser.add_argument("--per-person", type=int, default=4)
    parser.add_argument("--paced", action="store_true")
    args = parser.parse_args()
    kb = load_kb()
    for name, sig in (("SIGTERM", signal.SIGTERM), ("kill -9", signal.SIGKILL)):
        for run in range(args.runs):
            result, allowed, code = await scenario(Path(tempfile.mkdtemp()), kb, sig, args.people, args.per_person,
                                                   args.paced)
            print(f"{name} #{run + 1}: {args.people * args.per_person} updates: lost {result.lost}, "
                  f"repeated {result.repeated} (on the wire at the kill: {allowed}), out of order "
                  f"{result.out_of_order}, exit code {code}")


if __name__ == "__main__":
    asyncio.run(main())
