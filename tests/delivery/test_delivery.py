"""The delivery engine's shared rate budget and its behaviour against the strict fake Telegram."""

from __future__ import annotations

import asyncio

from bot.core.events import Reply
from bot.delivery import outbox
from bot.delivery.pacing import Pacer
from storage import people as repo
from tests.conftest import core, make_app, make_settings  # noqa: F401  (a fixture)
from tests.fakes.telegram_api import FakeTelegram
from tests.sinks import PartSink, Sink
from tests.viber_harness import eventually


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


# --- claims, order, fencing, progress -----------------------------------------------------------------

async def _person(core, name: str) -> int:
    async with core.db.sessions() as s, s.begin():
        user, _ = await repo.get_or_create_user(s, "console", name)
        return user.id


async def _queue(core, user_id: int, texts: list[str], key: str, **kw) -> None:
    async with core.db.sessions() as s, s.begin():
        await outbox.enqueue(s, user_id=user_id, channel="console", kind="text", payload={"text": "\n".join(texts)},
                             key=key, **kw)


async def _states(core) -> list[tuple[str, str]]:
    from sqlalchemy import select

    from storage.models import Outbox

    async with core.db.sessions() as s:
        return [tuple(r) for r in (await s.execute(select(Outbox.idempotency_key, Outbox.state).order_by(Outbox.id))).all()]


async def test_a_claim_taken_over_after_its_lease_can_neither_renew_nor_settle(core):
    import datetime as dt

    from sqlalchemy import update

    from storage.models import Outbox

    await _queue(core, await _person(core, "p1"), ["hello"], "k1")
    (mine,) = await outbox.claim(core.db, ["console"], lease=60)
    async with core.db.sessions() as s, s.begin():  # our process stalls: the lease runs out…
        await s.execute(update(Outbox).values(claimed_until=dt.datetime(2000, 1, 1, tzinfo=dt.UTC)))
    (theirs,) = await outbox.claim(core.db, ["console"], lease=60)  # …and another process takes the row
    assert theirs.attempts == mine.attempts + 1
    assert await outbox.renew(core.db, [mine], 60, outbox.utcnow()) == set()
    assert not await outbox.settle(core.db, mine, "sent")  # fenced off: the stale claim changes nothing
    assert await outbox.settle(core.db, theirs, "sent")
    assert await _states(core) == [("k1", "sent")]


async def test_a_call_hanging_past_the_lease_keeps_its_claim(core):
    """The worker renews the lease while the call is in flight: nobody else may take the row."""
    sink = PartSink()
    sink.release.clear()
    await _queue(core, await _person(core, "p1"), ["once"], "k1")
    worker = core.delivery_worker([sink], lease=0.6)
    stop = asyncio.Event()
    running = asyncio.create_task(worker.run(stop))
    try:
        await eventually(lambda: _async(sink.waiting), 1)
        await asyncio.sleep(1.5)  # more than twice the lease
        other = core.delivery_worker([Sink()], lease=0.6)
        assert await other.run_once() == 0  # still ours
        sink.release.set()
        await eventually(lambda: _states(core), [("k1", "sent")])
    finally:
        stop.set()
        await running
    assert [t for _, t in sink.sent] == ["once"]


async def test_a_failed_part_is_retried_from_where_it_stopped_and_order_holds(core):
    """Part 2 of a three-part answer fails: the retry sends parts 2 and 3, not 1 again; the person's next
    message waits for it."""
    from sqlalchemy import update

    from storage.models import Outbox

    sink = PartSink()
    sink.fail_at = {1}
    person = await _person(core, "p1")
    await core.queue_replies("console", "p1", [Reply("part 1"), Reply("part 2"), Reply("part 3")], {})
    await _queue(core, person, ["later"], "k-later")
    worker = core.delivery_worker([sink])
    assert await worker.run_once() == 1  # the answer, failed at part 2; "later" is behind it
    assert [t for _, t in sink.sent] == ["part 1"]
    async with core.db.sessions() as s, s.begin():  # its retry falls due
        await s.execute(update(Outbox).where(Outbox.state == "pending").values(due_at=outbox.utcnow()))
    assert await worker.run_once() == 2
    assert [t for _, t in sink.sent] == ["part 1", "part 2", "part 3", "later"]


async def test_answers_go_before_queued_reminders(sqlite_url, test_kb):
    """Twenty reminders to twenty people wait for a slow budget; an answer queued after them goes first."""
    app = await make_app(make_settings(sqlite_url), test_kb)
    try:
        sink = PartSink()
        for n in range(20):
            await _queue(app, await _person(app, f"r{n}"), [f"reminder {n}"], f"rem{n}")
        await _person(app, "asker")
        await app.queue_replies("console", "asker", [Reply("your answer")], {})
        worker = app.delivery_worker([sink], batch=50)
        worker.pacers["console"] = Pacer(app.db, "console", rate=20)
        await worker.run_once()
    finally:
        await app.close()
    assert [t for _, t in sink.sent][0] == "your answer"


async def test_stopping_gives_back_what_was_not_sent_at_once(core):
    sink = PartSink()
    for n in range(10):
        await _queue(core, await _person(core, f"p{n}"), [f"m{n}"], f"k{n}")
    worker = core.delivery_worker([sink], lease=600)
    worker.pacers["console"] = Pacer(core.db, "console", rate=2)  # one message every half second
    stop = asyncio.Event()
    running = asyncio.create_task(worker.run(stop))
    await eventually(lambda: _async(len(sink.sent)), 1)
    stop.set()
    await running
    states = dict(await _states(core))
    sent = {k for k, state in states.items() if state == "sent"}
    assert len(sent) == len(sink.sent) and len(sent) < 10
    assert all(state == "pending" for k, state in states.items() if k not in sent)  # not waiting 600 s for a lease
    again = core.delivery_worker([sink])
    while await again.run_once():
        pass
    assert sorted(t for _, t in sink.sent) == sorted(f"m{n}" for n in range(10))  # each once


async def _async(value):
    return value
