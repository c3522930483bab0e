"""What a citizen's main screens cost and how long they are, on the bundled knowledge base.

    .venv/bin/python bench/screen_bench.py [--repeat 60]

One person on a temporary SQLite file: the median time of `handle()` for a typed search that is
found, one that is not, a service card, its details and its document list; then the length of
every card's first message and details screen (the first message should fit a phone screen).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.app import build_app
from bot.config import Settings
from bot.core import payloads
from bot.core.events import Incoming
from bot.i18n import Translator
from knowledge.card import first_screen

EVENTS = {
    "search found «субсидія»": Incoming("bench", "u", "text", text="субсидія"),
    "search none «рецепт борщу»": Incoming("bench", "u", "text", text="рецепт борщу"),
    "card": Incoming("bench", "u", "button", payload="svc:housing-subsidy"),
    "details": Incoming("bench", "u", "button", payload="svcinfo:housing-subsidy"),
    "document list": Incoming("bench", "u", "button", payload="cl:housing-subsidy"),
}


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = await build_app(Settings(_env_file=None, BOT_DATABASE_URL=f"sqlite+aiosqlite:///{tmp}/b.sqlite3"))
        await app.handle(Incoming("bench", "u", "start"))
        for name, event in EVENTS.items():
            times = []
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                await app.handle(event)
                times.append(time.perf_counter() - t0)
            print(f"{name:28} median {statistics.median(times) * 1000:5.1f} ms")

        kb, uk = app.services.kb, Translator("uk")
        first, details, shared = [], [], []
        for sid, svc in kb.services.items():
            for action, lengths in (("svc", first), ("svcinfo", details)):
                replies = await app.handle(Incoming("bench", "u", "button", payload=payloads.encode(action, (sid,))))
                lengths.append(len(replies[-1].text))
            shared.append(len(first_screen(svc, kb, "uk", uk)))
        await app.close()
    for name, lengths in (("card first message", first), ("  of it knowledge.card.first_screen", shared),
                          ("details screen", details)):
        print(f"{name:36} median {statistics.median(lengths):5.0f} chars, max {max(lengths)} ({len(lengths)} cards)")


if __name__ == "__main__":
    asyncio.run(main())
