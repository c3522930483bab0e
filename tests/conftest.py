"""Shared fixtures: real databases (SQLite file; PostgreSQL when reachable), the bot core."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from bot.config import Settings
from knowledge.loader import load_kb

TESTS_DIR = Path(__file__).resolve().parent
TEST_KB_DIR = TESTS_DIR / "data" / "kb"
POSTGRES_URL = os.environ.get("BOT_TEST_POSTGRES_URL", "")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _postgres_reachable(url: str) -> str | None:
    """None if we can connect, else why not."""
    import asyncpg

    dsn = url.replace("postgresql+asyncpg://", "postgresql://")

    async def probe() -> None:
        conn = await asyncpg.connect(dsn, timeout=5)
        await conn.close()

    try:
        asyncio.run(probe())
        return None
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"


_pg_problem: str | None = "BOT_TEST_POSTGRES_URL is not set" if not POSTGRES_URL else None
if POSTGRES_URL:
    _pg_problem = _postgres_reachable(POSTGRES_URL)


def require_postgres() -> str:
    if _pg_problem:
        msg = f"PostgreSQL tests need a server ({_pg_problem}); .ci/run installs and starts one"
        if IN_CI:
            pytest.fail(msg)  # in CI they must run
        pytest.skip(msg)
    return POSTGRES_URL


async def _reset_postgres(url: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'test.sqlite3'}"


@pytest.fixture
async def postgres_url() -> str:
    url = require_postgres()
    await _reset_postgres(url)
    return url


@pytest.fixture(params=["sqlite", "postgres"])
async def db_url(request, tmp_path: Path) -> str:
    """Run the test on both databases the bot supports."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'test.sqlite3'}"
    url = require_postgres()
    await _reset_postgres(url)
    return url


@pytest.fixture(scope="session")
def test_kb():
    return load_kb(TEST_KB_DIR)


@pytest.fixture(scope="session")
def real_kb():
    return load_kb()


def make_settings(db_url: str, **extra) -> Settings:
    # Tests are about flows: a chat's own budget is loose (tests of pacing set their own, with the fake's).
    values = {"BOT_DATABASE_URL": db_url, "BOT_DEFAULT_LANG": "uk", "BOT_TELEGRAM_CHAT_BURST": "20", **extra}
    return Settings(_env_file=None, **values)


async def make_app(settings: Settings, kb=None, **options):
    """The app as `run_bot.py` builds it, except that a crash in a flow fails the test (it is not
    answered with the apology a person would get) — pass raise_errors=False to test that apology."""
    from bot.app import build_app

    options.setdefault("raise_errors", True)
    options.setdefault("create", True)
    return await build_app(settings, kb=kb, **options)


@pytest.fixture
async def core(sqlite_url, test_kb):
    c = await make_app(make_settings(sqlite_url), test_kb)
    yield c
    await c.close()


async def set_read_only(url: str, on: bool) -> None:
    """Make the PostgreSQL database read-only (as after a failover to a replica), or writable again: new
    sessions get it, and every open one is cut (the app's pooled connections die and are replaced)."""
    import asyncpg

    dsn = url.replace("postgresql+asyncpg://", "postgresql://")
    name = dsn.rsplit("/", 1)[1]
    admin = await asyncpg.connect(dsn)
    try:
        await admin.execute("SET default_transaction_read_only = off")  # this session may change it back
        await admin.execute(f'ALTER DATABASE "{name}" SET default_transaction_read_only = {"on" if on else "off"}')
        await admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                            "WHERE datname = $1 AND pid <> pg_backend_pid()", name)
    finally:
        await admin.close()
