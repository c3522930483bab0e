"""Health that means something: /healthz (the process lives), /readyz (its database is there, writable,
migrated and the one it started with), and a database that vanished or went read-only is noticed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import aiohttp
from sqlalchemy import text

from bot.features.status import store as apps
from tests.conftest import _reset_postgres, make_app, make_settings, set_read_only
from tests.fakes.telegram_api import FakeTelegram
from tests.web_support import Api, get_json, serving

ROOT = Path(__file__).resolve().parents[2]


async def test_alive_and_ready(db_url, test_kb):
    app = await make_app(make_settings(db_url), test_kb)
    try:
        async with serving(app, []) as base:
            assert await get_json(base, "/healthz") == (200, {"ok": True})
            status, body = await get_json(base, "/readyz")
            assert status == 200 and body["ok"] is True, body
    finally:
        await app.close()


async def test_a_deleted_sqlite_database_is_noticed_and_not_written_to(sqlite_url, test_kb, tmp_path):
    async with FakeTelegram() as tg:
        settings = make_settings(sqlite_url, TELEGRAM_BOT_TOKEN=tg.token, TELEGRAM_API_BASE=tg.base_url,
                                 TELEGRAM_WEBHOOK_SECRET="ready-Secret_1", BOT_SECRET_KEY="k")
        app = await make_app(settings, test_kb)
        async with app.db.sessions() as s, s.begin():
            token = await apps.create_token(s, "vulyk")
        try:
            async with serving(app, ["telegram"]) as base:
                assert (await Api(base, token).put("ЦН-1"))[0] == 201
                for path in tmp_path.glob("test.sqlite3*"):
                    path.unlink()
                assert (await get_json(base, "/healthz"))[0] == 200  # alive…
                status, body = await get_json(base, "/readyz")
                assert status == 503 and not body["ok"], body  # …but not ready
                status, body = await Api(base, token).put("ЦН-2")
                assert status == 503 and body["error"]["code"] == "unavailable", body
                async with aiohttp.ClientSession() as http:  # Telegram is told to try again later
                    async with http.post(base + "/telegram/webhook", json=tg.text_update(42, "/start"),
                                         headers={"X-Telegram-Bot-Api-Secret-Token": "ready-Secret_1"}) as r:
                        assert r.status == 503
        finally:
            await app.close()
    assert not list(tmp_path.glob("test.sqlite3*")), "nothing may quietly create a new, empty database"


def run_bot(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "run_bot.py", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=120)


def test_serving_needs_an_existing_database_and_db_init_makes_one(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'fresh.sqlite3'}"
    env = {"BOT_DATABASE_URL": url, "TELEGRAM_BOT_TOKEN": "123:" + "x" * 30, "TELEGRAM_WEBHOOK_SECRET": "s",
           "BOT_SERVE_HOST": "256.0.0.1"}  # an address it could not bind: it must stop before that
    refused = run_bot("serve", env=env)
    assert refused.returncode == 2 and "db init" in refused.stderr, refused.stderr
    assert not (tmp_path / "fresh.sqlite3").exists()
    assert run_bot("db", "upgrade", env=env).returncode == 2  # upgrading needs a database too
    made = run_bot("db", "init", env=env)
    assert made.returncode == 0 and (tmp_path / "fresh.sqlite3").exists(), made.stderr
    assert run_bot("db", "upgrade", env=env).returncode == 0


async def test_migrations_behind_are_not_ready(sqlite_url, test_kb):
    app = await make_app(make_settings(sqlite_url), test_kb)
    try:
        async with serving(app, []) as base:
            async with app.db.engine.begin() as conn:
                await conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
            status, body = await get_json(base, "/readyz")
            assert status == 503 and "migration" in str(body).lower(), body
    finally:
        await app.close()


async def test_a_read_only_or_replaced_postgres_database_is_noticed(postgres_url, test_kb):
    app = await make_app(make_settings(postgres_url, BOT_SECRET_KEY="k"), test_kb)
    async with app.db.sessions() as s, s.begin():
        token = await apps.create_token(s, "vulyk")
    try:
        async with serving(app, []) as base:
            assert (await Api(base, token).put("ЦН-1"))[0] == 201
            await set_read_only(postgres_url, True)
            try:
                for _ in range(3):  # every pooled connection was cut: each must fail cleanly, not as a 500
                    status, body = await Api(base, token).put("ЦН-2")
                    assert status == 503 and body["error"]["code"] == "unavailable", body
                async with aiohttp.ClientSession() as http:  # reading still works
                    async with http.get(f"{base}/api/v1/applications/ЦН-1",
                                        headers={"Authorization": f"Bearer {token}"}) as resp:
                        assert resp.status == 200, await resp.text()
                status, body = await get_json(base, "/readyz")
                assert status == 503, body
            finally:
                await set_read_only(postgres_url, False)
            assert (await Api(base, token).put("ЦН-2"))[0] == 201
            assert (await get_json(base, "/readyz"))[0] == 200

            await _reset_postgres(postgres_url)  # someone put another (empty) database in its place
            from storage.db import open_database

            await (await open_database(postgres_url, create=True)).dispose()
            status, body = await get_json(base, "/readyz")
            assert status == 503 and "database" in str(body).lower(), body
    finally:
        await app.close()

