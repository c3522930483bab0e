"""The delivery engine's shared rate budget and its behaviour against the strict fake Telegram."""

from __future__ import annotations

import asyncio

from bot.delivery import outbox
from bot.delivery.pacing import Pacer
from storage import people as repo
from tests.conftest import make_app, make_settings
from tests.fakes.telegram_api import FakeTelegram


async def test_two_processes_share_one_rate_budget(db_url, test_kb):
    core_a = await make_app(make_settings(db_url), test_kb)
    core_b = await make_app(make_settings(db_url), test_kb, migrate=False)
    try:
        a, b = Pacer(core_a.db, "telegram", rate=10), Pacer(core_b.db, "telegram", rate=10)
        starts = await asyncio.gather(*(p.reserve(5) for p in (a, b, a, b)))
        spans = sorted((s, s + 0.5) for s in starts)
        for (_s1, e1), (s2, _e2) in zip(spans, spans[1:], strict=False):
            assert s2 >= e1 - 1e-6, "two reservations overlap: the platform would see double the rate"
        assert spans[-1][1] - spans[0][0] >= 2.0 - 1e-6  # 20 messages at 10/s take 2 s, whoever sends them
    finally:
        await core_a.close()
        await core_b.close()


def test_a_chat_gets_a_short_burst_then_one_message_a_second():
    pacer = Pacer(None, "telegram", rate=30, per_chat_interval=1.0, per_chat_burst=3)
    tat, sent = None, []
    for _ in range(6):  # six messages to one person, all ready at t=100
        at = pacer.chat_ready(tat, 100.0)
        sent.append(at)
        tat = pacer.chat_sent(tat, at)
    assert sent == [100.0, 100.0, 100.0, 101.0, 102.0, 103.0]
    assert pacer.chat_ready(tat, 110.0) == 110.0  # after a quiet while the burst is there again


async def test_a_burst_is_delivered_without_429_and_exactly_once(sqlite_url, test_kb):
    """120 messages to 120 chats against a fake that allows 30/s: paced, none refused, none twice."""
    async with FakeTelegram(global_rate=30, global_burst=30) as tg:
        settings = make_settings(sqlite_url, TELEGRAM_BOT_TOKEN=tg.token, TELEGRAM_API_BASE=tg.base_url)
        core = await make_app(settings, test_kb)
        runtime = core.open_channels(["telegram"])[0]
        try:
            async with core.db.sessions() as s, s.begin():
                for n in range(120):
                    user, _ = await repo.get_or_create_user(s, "telegram", str(5000 + n))
                    tg.start_chat(5000 + n)
                    await outbox.enqueue(s, user_id=user.id, channel="telegram", kind="text",
                                         payload={"text": f"повідомлення {n}"}, key=f"burst:{n}")
            worker = core.delivery_worker([runtime.sender])
            while await worker.run_once():
                pass
        finally:
            await runtime.close()
            await core.close()
    texts = [m.text for m in tg.sent]
    assert sorted(texts) == sorted(f"повідомлення {n}" for n in range(120))  # all, once each
    assert not [e for e in tg.errors if e[1] == 429]  # unpaced, the fake would refuse everything past 30
