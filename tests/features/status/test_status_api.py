"""The status API over real HTTP, and a change reaching a Telegram user through the outbox."""

from __future__ import annotations

import json

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import select

from bot.features.status import store as apps
from storage.models import Outbox
from tests.conftest import make_app, make_settings
from tests.fakes.telegram_api import FakeTelegram

CHAT = 3003


class Server:
    def __init__(self, core, app):
        self.core, self.app = core, app

    async def __aenter__(self):
        self.runner = web.AppRunner(self.app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.base = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"
        self.http = aiohttp.ClientSession()
        return self

    async def __aexit__(self, *exc):
        await self.http.close()
        await self.runner.cleanup()

    async def call(self, method, path, token=None, **kw):
        headers = kw.pop("headers", {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        async with self.http.request(method, self.base + path, headers=headers, **kw) as resp:
            return resp.status, await resp.json()


async def new_token(core, name="vulyk"):
    async with core.db.sessions() as s, s.begin():
        return await apps.create_token(s, name)


@pytest.fixture
async def api(db_url, test_kb):
    core = await make_app(make_settings(db_url, BOT_SECRET_KEY="k"), test_kb)
    async with Server(core, core.web_app(core.open_channels())) as server:
        yield server
    await core.close()


async def test_auth_validation_and_idempotency(api):
    token = await new_token(api.core)
    body = {"status": "in_progress", "note": "", "expected_date": "2026-12-05", "service_id": "id-card", "secret": "4821"}
    path = "/api/v1/applications/ЦН-2026-00300"

    assert (await api.call("PUT", path, json=body))[0] == 401
    status, err = await api.call("PUT", path, token="hb_wrong", json=body)
    assert status == 401 and err["error"]["code"] == "unauthorized"

    status, out = await api.call("PUT", path, token=token, json=body)
    assert status == 201 and out["result"] == "added" and out["application"]["status"] == "in_progress"
    assert "secret" not in json.dumps(out) and "4821" not in json.dumps(out)
    status, out = await api.call("PUT", path, token=token, json=body)
    assert status == 200 and out["result"] == "unchanged"
    status, out = await api.call("PUT", "/api/v1/applications/цн 2026 00300", token=token, json={**body, "status": "Готово"})
    assert status == 200 and out["result"] == "changed"
    status, out = await api.call("GET", path, token=token)
    assert status == 200 and [h["status"] for h in out["history"]] == ["in_progress", "ready"]
    assert out["history"][0]["source"] == "api:vulyk"

    cases = [
        ({"data": b"{not json", "headers": {"Content-Type": "application/json"}}, 400, "malformed_json"),
        ({"data": b"x=1", "headers": {"Content-Type": "application/x-www-form-urlencoded"}}, 415, "unsupported_media_type"),
        ({"json": {**body, "status": "lost"}}, 422, "invalid"),
        ({"json": {**body, "colour": "red"}}, 422, "invalid"),
        ({"json": {**body, "expected_date": "someday"}}, 422, "invalid"),
        ({"json": {**body, "service_id": "ghost"}}, 422, "invalid"),
        ({"json": {**body, "note": "x" * 5000}}, 422, "invalid"),
        ({"json": {**body, "note": "я" * 20000}}, 413, "too_large"),
    ]
    for kwargs, code, error in cases:
        status, out = await api.call("PUT", path, token=token, **kwargs)
        assert (status, out["error"]["code"]) == (code, error), (kwargs.keys(), out)
        assert out["error"]["message"]
    assert (await api.call("GET", "/api/v1/applications/NOPE", token=token))[0] == 404

    async with api.core.db.sessions() as s, s.begin():
        assert await apps.revoke_token(s, "vulyk")
    assert (await api.call("GET", path, token=token))[0] == 401


async def test_openapi_document_is_served(api):
    status, doc = await api.call("GET", "/api/v1/openapi.json")
    assert status == 200 and doc["openapi"].startswith("3.")
    put = doc["paths"]["/api/v1/applications/{number}"]["put"]
    assert {"200", "201", "401", "422"} <= set(put["responses"])
    assert "status" in doc["components"]["schemas"]["ApplicationIn"]["properties"]


async def test_status_change_reaches_the_telegram_user_once(sqlite_url, test_kb):
    async with FakeTelegram() as tg:
        settings = make_settings(sqlite_url, TELEGRAM_BOT_TOKEN=tg.token, TELEGRAM_API_BASE=tg.base_url,
                                 TELEGRAM_WEBHOOK_SECRET="hook-secret", BOT_SECRET_KEY="k", BOT_DELIVERY_POLL_SECONDS="0.1")
        core = await make_app(settings, test_kb)
        async with Server(core, core.web_app(core.open_channels())) as server:
            token = await new_token(core)
            await server.call("PUT", "/api/v1/applications/ЦН-7", token=token, json={"status": "received", "secret": "4821"})

            async def tell(text):
                update = tg.text_update(CHAT, text)
                async with server.http.post(server.base + "/telegram/webhook", json=update,
                                            headers={"X-Telegram-Bot-Api-Secret-Token": "hook-secret"}) as r:
                    assert r.status == 200

            before = 0
            for text, expect in (("/start", 2), ("/status", 1), ("ЦН-7", 1), ("4821", 1)):
                await tell(text)
                before += expect
                await tg.wait_messages(CHAT, before)
            card = tg.messages(CHAT)[-1]
            assert "Отримано" in card.text
            update = tg.press_update(card, "Повідомляти")
            async with server.http.post(server.base + "/telegram/webhook", json=update,
                                        headers={"X-Telegram-Bot-Api-Secret-Token": "hook-secret"}) as r:
                assert r.status == 200
            await tg.wait_until(lambda: card.edits == 1)

            body = {"status": "ready", "secret": "4821"}
            for _ in range(3):  # the CNAP system re-sends the same change
                await server.call("PUT", "/api/v1/applications/ЦН-7", token=token, json=body)
            await tg.wait_messages(CHAT, before + 1)
        # The server (and its delivery worker) has stopped: what was sent is final. One change, one notice.
        notices = [m for m in tg.messages(CHAT) if m.text.startswith("🔔")]
        assert len(notices) == 1
        async with core.db.sessions() as s:
            rows = (await s.execute(select(Outbox.state).where(Outbox.kind == "status_change"))).scalars().all()
        assert rows == ["sent"]
        assert "ЦН-7" in notices[0].text and "Готово до видачі" in notices[0].text
        assert "вул. Тестова, 1" in notices[0].text  # where to pick it up
        assert any("Відкрити заяву" in b["text"] for b in notices[0].buttons())
        await core.close()
