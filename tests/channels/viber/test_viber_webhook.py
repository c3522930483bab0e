"""The Viber webhook: repeats across a restart, unreadable text, garbage and forgeries."""

from __future__ import annotations

import json
import logging

from tests.fakes.viber_api import FakeViber
from tests.viber_harness import U, running_bot
from tests.web_support import raw_post


async def test_a_callback_viber_repeats_after_a_restart_is_processed_once(sqlite_url, test_kb, tmp_path):
    async with FakeViber() as fake:
        fake.user(U).subscribed = fake.user(U).opened = True
        event = fake.event("message", sender={"id": U, "language": "uk"}, message={"type": "text", "text": "/help"})
        for _process in range(2):  # Viber re-sends it to the restarted bot
            async with running_bot(fake, sqlite_url, test_kb, tmp_path) as h:
                assert (await fake.post(event))[0] == 200
                await h.settled()
                await fake.wait_messages(U, 2)
        assert len(fake.messages(U)) == 2  # the privacy notice and the help, once


async def test_a_lone_surrogate_in_a_text_is_answered_not_crashed_on(sqlite_url, test_kb, tmp_path, caplog):
    caplog.set_level(logging.WARNING)
    async with FakeViber() as fake, running_bot(fake, sqlite_url, test_kb, tmp_path) as h:
        fake.user(U).subscribed = fake.user(U).opened = True
        event = fake.event("message", sender={"id": U, "language": "uk"}, message={"type": "text", "text": "x"})
        raw = json.dumps(event).replace('"text": "x"', '"text": "\\ud800 паспорт"').encode()  # not valid UTF-16
        status, _ = await raw_post_signed(fake, raw)
        assert status == 200
        await h.settled()
        await fake.wait_messages(U, 2)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def raw_post_signed(fake: FakeViber, raw: bytes, signature: str | None = None) -> tuple[int, bytes]:
    base, _, path = fake.target.partition("/viber")
    headers = {"Content-Type": "application/json", "X-Viber-Content-Signature": signature or fake.sign(raw)}
    return await raw_post(base, "/viber" + path, raw, headers)


async def test_garbage_and_forgeries_get_400_and_401_without_a_traceback(sqlite_url, test_kb, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    async with FakeViber() as fake, running_bot(fake, sqlite_url, test_kb, tmp_path) as h:
        assert (await raw_post_signed(fake, b"{not json"))[0] == 400
        assert (await raw_post_signed(fake, b"[" * 50_000 + b"]" * 50_000))[0] == 400
        event = json.dumps(fake.event("message", sender={"id": U}, message={"type": "text", "text": "/start"})).encode()
        assert (await raw_post_signed(fake, event, signature="0" * 64))[0] == 401
        assert (await raw_post_signed(fake, event, signature="Підпис"))[0] == 401
        await h.settled()
        assert fake.sent == []
    logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records if r.name != "aiohttp.access")
    assert "Traceback" not in logged
