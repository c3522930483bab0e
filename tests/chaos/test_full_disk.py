"""`run_bot.py serve` on a full disk: nothing is acknowledged that was not stored, and once there is room
again every update is answered once, in order.

The disk is "filled" for the bot process alone: its file-size limit (RLIMIT_FSIZE) stops the SQLite
write-ahead log from growing, so every write fails with an I/O error as on a full disk; the test raises
the limit again to free it.
"""

from __future__ import annotations

import sqlite3

from storage.db import open_database
from tests.chaos.tally import Plan, pick_services, tally
from tests.fakes.telegram_api import FakeTelegram
from tests.processes import SECRET, BotProcess
from tests.web_support import get_json

UNLIMITED = dict(global_rate=1e6, global_burst=1e6, chat_rate=1e6, chat_burst=1e6)


async def test_a_full_disk_refuses_updates_until_there_is_room_then_loses_nothing(tmp_path, real_kb):
    db = tmp_path / "bot.sqlite3"
    await (await open_database(f"sqlite+aiosqlite:///{db}", create=True)).dispose()
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # an empty log: the first write must grow it
    plan = Plan(pick_services(real_kb, 4), people=5, per_person=4)
    async with FakeTelegram(**UNLIMITED) as tg:
        env = {"BOT_DATABASE_URL": f"sqlite+aiosqlite:///{db}", "TELEGRAM_BOT_TOKEN": tg.token,
               "TELEGRAM_API_BASE": tg.base_url, "TELEGRAM_WEBHOOK_SECRET": SECRET, "BOT_SECRET_KEY": "chaos",
               "BOT_TELEGRAM_RATE": "1000", "BOT_TELEGRAM_CHAT_BURST": "100", "BOT_DELIVERY_POLL_SECONDS": "0.2",
               "VIBER_MEDIA_DIR": str(tmp_path / "media")}
        bot = BotProcess(["run_bot.py", "serve"], env, file_limit=1024)
        await bot.start()
        try:
            tg.webhook, tg.webhook_secret = bot.base + "/telegram/webhook", SECRET
            assert (await get_json(bot.base, "/healthz"))[0] == 200
            status, body = await get_json(bot.base, "/readyz")
            assert status == 503, body
            updates = plan.updates(tg)
            for update in updates:
                await tg.deliver_update(update)
            await tg.wait_until(lambda: tg.webhook_attempts >= 2 * len(plan.chats()), timeout=30)
            assert tg.acknowledged == [], "an update was acknowledged that could not be stored"

            bot.set_file_limit(None)  # room again
            await tg.wait_acknowledged(len(updates), timeout=60)
            await tg.wait_until(lambda: tally(plan, tg).lost == 0, timeout=30)
            assert (await get_json(bot.base, "/readyz"))[0] == 200
        finally:
            code = await bot.stop()
    result = tally(plan, tg)
    assert (result.lost, result.repeated, result.out_of_order) == (0, 0, 0), (result, bot.log[-2000:])
    assert code == 0
