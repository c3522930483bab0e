"""Answers to people under bursts, jitter and outages: none lost, none repeated, none out of order.

The bot runs its web app as `serve` does; the fake Bot API pushes updates to its webhook as Telegram
does and enforces its limits strictly. Every update is a deep link to a different card, so every
answer says which update it answers (tests/chaos/tally.py).
"""

from __future__ import annotations

import asyncio

from tests.chaos.tally import Plan, pick_services, tally
from tests.conftest import make_app, make_settings
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.viber_api import FakeViber
from tests.viber_harness import running_bot
from tests.web_support import serving

SECRET = "outbound-Secret_1"


async def _run(sqlite_url, kb, tg: FakeTelegram, plan: Plan, *, during=None, **env) -> None:
    settings = make_settings(sqlite_url, TELEGRAM_BOT_TOKEN=tg.token, TELEGRAM_API_BASE=tg.base_url,
                             TELEGRAM_WEBHOOK_SECRET=SECRET, BOT_DELIVERY_POLL_SECONDS="0.1", **env)
    app = await make_app(settings, kb)
    try:
        async with serving(app, ["telegram"]) as base:
            tg.webhook, tg.webhook_secret = base + "/telegram/webhook", SECRET
            updates = plan.updates(tg)
            for update in updates:
                await tg.deliver_update(update)
            if during is not None:
                await during()
            await tg.wait_acknowledged(len(updates), timeout=60)
            try:
                await tg.wait_until(lambda: tally(plan, tg).lost == 0, timeout=60)
            except TimeoutError:
                pass
    finally:
        await app.close()


async def test_a_burst_of_200_against_strict_limits_loses_repeats_and_reorders_nothing(sqlite_url, real_kb):
    """30 messages in any second for the bot, 1 a second per person: 200 updates from 50 people at once."""
    plan = Plan(pick_services(real_kb, 8), people=50, per_person=4)
    async with FakeTelegram(global_rate=30, global_burst=30, window=30, chat_rate=1, chat_burst=1) as tg:
        await _run(sqlite_url, real_kb, tg, plan, BOT_TELEGRAM_CHAT_BURST="1")
    result = tally(plan, tg)
    too_many = sum(1 for e in tg.errors if e[1] == 429)
    assert (result.lost, result.repeated, result.out_of_order, too_many) == (0, 0, 0, 0), (result, tg.errors[:5])


async def test_jitter_in_the_api_reorders_no_ones_answers(sqlite_url, real_kb):
    """0–300 ms per call and no limits: answers must still reach each person in the order asked."""
    plan = Plan(pick_services(real_kb, 8), people=50, per_person=4)
    limits = dict(global_rate=1e6, global_burst=1e6, chat_rate=1e6, chat_burst=1e6)
    async with FakeTelegram(latency=(0.0, 0.3), **limits) as tg:
        await _run(sqlite_url, real_kb, tg, plan, BOT_TELEGRAM_RATE="1000", BOT_TELEGRAM_CHAT_BURST="100")
    result = tally(plan, tg)
    assert (result.lost, result.repeated, result.out_of_order) == (0, 0, 0), result


async def test_telegram_down_and_back_loses_no_answer(sqlite_url, real_kb):
    plan = Plan(pick_services(real_kb, 4), people=5, per_person=4)
    limits = dict(global_rate=1e6, global_burst=1e6, chat_rate=1e6, chat_burst=1e6)
    async with FakeTelegram(**limits) as tg:
        tg.go_down(502)

        async def outage() -> None:
            await tg.wait_acknowledged(len(plan.chats()) * plan.per_person, timeout=30)  # all taken while down
            await asyncio.sleep(3.0)  # longer than any quick retry
            tg.come_back()

        await _run(sqlite_url, real_kb, tg, plan, during=outage, BOT_TELEGRAM_RATE="1000", BOT_TELEGRAM_CHAT_BURST="100")
    result = tally(plan, tg)
    assert (result.lost, result.repeated, result.out_of_order) == (0, 0, 0), result


async def test_viber_down_and_back_loses_no_answer(sqlite_url, test_kb, tmp_path):
    user = "Vb3xDownUser+/AbC=="
    async with FakeViber() as fake, running_bot(fake, sqlite_url, test_kb, tmp_path) as h:
        await fake.open(user)
        fake.go_down(503)
        for text in ("/start svc_id-card", "/start svc_housing-subsidy"):
            assert await fake.say(user, text) == 200
        await asyncio.sleep(3.0)  # longer than the client's own quick retries
        fake.come_back()
        await fake.wait_until(lambda: sum("📄" in m.text for m in fake.messages(user)) >= 2, timeout=30)
        await h.settled()
        cards = [m.text.splitlines()[0] for m in fake.messages(user) if "📄" in m.text]
    titles = [test_kb.services[s].title.get("uk") for s in ("id-card", "housing-subsidy")]
    assert [next(t for t in titles if t in c) for c in cards] == titles
