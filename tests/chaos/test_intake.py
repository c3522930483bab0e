"""`run_bot.py serve` as a real process, stopped or killed while 200 updates are in flight.

The fake Bot API pushes updates to the webhook as Telegram does (re-sending whatever was not answered
200) and records every message; after a restart, each of the 200 updates must have been answered
exactly once and in each person's order. A kill -9 may repeat only what was on its way to Telegram at
the kill (sent, but not yet recorded as sent): those are counted from the database, and the repeats
must be exactly those.
"""

from __future__ import annotations

import asyncio
import json
import signal
import sqlite3

from storage.db import open_database
from tests.chaos.tally import Plan, Tally, pick_services, tally
from tests.fakes.telegram_api import FakeTelegram
from tests.processes import SECRET, BotProcess

UNLIMITED = dict(global_rate=1e6, global_burst=1e6, chat_rate=1e6, chat_burst=1e6)


PACED = dict(global_rate=30, global_burst=30, window=30, chat_rate=1, chat_burst=3)  # Telegram's limits, strictly


async def _serve(tmp_path, tg: FakeTelegram, db: str, port: int | None = None, paced: bool = False) -> BotProcess:
    rate, burst = ("29", "3") if paced else ("1000", "100")
    env = {"BOT_DATABASE_URL": f"sqlite+aiosqlite:///{db}", "TELEGRAM_BOT_TOKEN": tg.token,
           "TELEGRAM_API_BASE": tg.base_url, "TELEGRAM_WEBHOOK_SECRET": SECRET, "BOT_SECRET_KEY": "chaos",
           "BOT_TELEGRAM_RATE": rate, "BOT_TELEGRAM_CHAT_BURST": burst, "BOT_DELIVERY_LEASE_SECONDS": "2",
           "BOT_DELIVERY_POLL_SECONDS": "0.2", "VIBER_MEDIA_DIR": str(tmp_path / "media")}
    bot = BotProcess(["run_bot.py", "serve"], env, port=port)
    await bot.start()
    tg.webhook, tg.webhook_secret = bot.base + "/telegram/webhook", SECRET
    return bot


def _open_rows(db: str) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT count(*) FROM outbox WHERE state IN ('pending', 'sending')").fetchone()[0]


def _sent_but_unrecorded(db: str, sent: list[tuple[int, str]]) -> int:
    """Messages Telegram has that belong to rows still marked "sending": a restart sends them again."""
    from bot.delivery import replies as codec

    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT u.external_id, o.payload FROM outbox o JOIN users u ON u.id = o.user_id "
                            "WHERE o.state = 'sending'").fetchall()
    count = 0
    for chat, payload in rows:
        for reply in codec.decode(json.loads(payload)["replies"]):
            count += any(c == int(chat) and text and text in reply.text for c, text in sent)
    return count


async def scenario(tmp_path, kb, sig: int, people: int = 50, per_person: int = 4,
                   paced: bool = False) -> tuple[Tally, int, int]:
    """Updates pushed, `sig` when half are answered, a restart: (the tally, the repeats a kill allows — the
    messages on the wire at the kill —, the exit code after the signal). `paced`: Telegram's limits and the
    bot's default pacing, instead of no limits (a kill then finds far fewer messages on their way)."""
    db = str(tmp_path / "bot.sqlite3")
    await (await open_database(f"sqlite+aiosqlite:///{db}", create=True)).dispose()
    plan = Plan(pick_services(kb, 8), people=people, per_person=per_person)
    async with FakeTelegram(**(PACED if paced else UNLIMITED)) as tg:
        bot = await _serve(tmp_path, tg, db, paced=paced)
        updates = plan.updates(tg)
        for update in updates:
            await tg.deliver_update(update)
        await tg.wait_acknowledged(len(updates) // 2)  # half answered, the rest in flight
        bot.send_signal(sig)
        code = await bot.wait(30)
        at_stop = str(tmp_path / "at-stop.sqlite3")  # the database as the stopped process left it
        with sqlite3.connect(db) as src, sqlite3.connect(at_stop) as dst:
            src.backup(dst)
        on_the_wire = [(m.chat_id, m.text) for m in tg.sent]

        bot = await _serve(tmp_path, tg, db, port=bot.port, paced=paced)  # the restart; Telegram keeps pushing
        try:
            await tg.wait_acknowledged(len(updates))
            for _ in range(600):  # until every answer is settled: nothing more can be sent after that
                if not _open_rows(db):
                    break
                await asyncio.sleep(0.1)
        finally:
            await bot.stop()
        result = tally(plan, tg)
    assert (result.lost, result.out_of_order) == (0, 0), (result, bot.log[-2000:])
    return result, _sent_but_unrecorded(at_stop, on_the_wire) if sig == signal.SIGKILL else 0, code


async def _run(tmp_path, real_kb, sig: int) -> None:
    result, repeats_allowed, code = await scenario(tmp_path, real_kb, sig)
    assert result.repeated == repeats_allowed, (result, repeats_allowed)
    if sig == signal.SIGTERM:
        assert code == 0, "a SIGTERM must end in a clean exit"


async def test_sigterm_with_200_updates_in_flight_loses_nothing_and_exits_cleanly(tmp_path, real_kb):
    await _run(tmp_path, real_kb, signal.SIGTERM)


async def test_kill_9_with_200_updates_in_flight_loses_nothing_and_repeats_only_what_was_on_the_wire(tmp_path,
                                                                                                      real_kb):
    await _run(tmp_path, real_kb, signal.SIGKILL)
