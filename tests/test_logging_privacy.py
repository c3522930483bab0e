"""Personal data never reaches a log line: not in SQL errors (statement parameters), not in the
Bot API's complaints (chat ids), whatever goes wrong."""

from __future__ import annotations

import logging

from tests.chaos.tally import BASE_CHAT
from tests.conftest import make_app, make_settings, set_read_only
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.viber_api import FakeViber
from tests.viber_harness import running_bot
from tests.web_support import serving

VIBER_USER = "PrivateViberId+Zz9=="


def _logged(caplog) -> str:
    return "\n".join(r.getMessage() + "\n" + (r.exc_text or "") for r in caplog.records if r.name != "aiohttp.access")


async def test_sql_errors_do_not_log_statement_parameters(postgres_url, test_kb, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    async with FakeViber() as fake, running_bot(fake, postgres_url, test_kb, tmp_path) as h:
        fake.user(VIBER_USER).subscribed = fake.user(VIBER_USER).opened = True
        await set_read_only(postgres_url, True)
        try:
            for _ in range(2):
                await fake.say(VIBER_USER, "паспорт")
            await h.settled()
        finally:
            await set_read_only(postgres_url, False)
    logged = _logged(caplog)
    assert "read-only" in logged or "read_only" in logged or "503" in logged, logged[-3000:]  # it was noticed…
    assert VIBER_USER not in logged  # …without who it was about


async def test_a_refusing_bot_api_never_gets_a_chat_id_into_the_log(sqlite_url, test_kb, caplog):
    caplog.set_level(logging.DEBUG)
    chat = BASE_CHAT + 4242
    async with FakeTelegram(global_rate=2, global_burst=1, chat_rate=1, chat_burst=1) as tg:  # stricter than said
        settings = make_settings(sqlite_url, TELEGRAM_BOT_TOKEN=tg.token, TELEGRAM_API_BASE=tg.base_url,
                                 TELEGRAM_WEBHOOK_SECRET="log-Secret_1", BOT_DELIVERY_POLL_SECONDS="0.05")
        app = await make_app(settings, test_kb)
        try:
            async with serving(app, ["telegram"]) as base:
                tg.webhook, tg.webhook_secret = base + "/telegram/webhook", "log-Secret_1"
                for text in ("/start", "/help", "/menu"):
                    await tg.deliver_update(tg.text_update(chat, text))
                await tg.wait_acknowledged(3)
                await tg.wait_until(lambda: any(e[1] == 429 for e in tg.errors), timeout=30)
                await tg.wait_until(lambda: len(tg.messages(chat)) >= 4, timeout=30)
        finally:
            await app.close()
    assert str(chat) not in _logged(caplog)
