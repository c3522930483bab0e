"""Engine creation and migrations.

SQLite gets WAL and a busy timeout so the bot and a CLI command can use the same
file without "database is locked"; PostgreSQL uses the very same code via asyncpg.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def rowcount(result: Any) -> int:
    """Rows an UPDATE/DELETE/INSERT touched (a CursorResult's rowcount; 0 when the driver cannot tell)."""
    return int(getattr(result, "rowcount", 0) or 0)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(url: str) -> AsyncEngine:
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()
            # Let SQLAlchemy, not the driver, decide when a transaction starts (see _begin).
            dbapi_conn.isolation_level = None

        @event.listens_for(engine.sync_engine, "begin")
        def _begin(conn):
            # Take the write lock up front: the driver's default (deferred BEGIN, reads
            # outside any transaction) lets two processes read the same state and both
            # write it back, losing one update. IMMEDIATE serialises them instead.
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_async_engine(url, pool_pre_ping=True)


def alembic_config(url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


async def upgrade(engine: AsyncEngine, revision: str = "heads") -> None:
    """Apply migrations on an existing engine (on start and by `run_bot.py db upgrade`)."""
    cfg = alembic_config()

    def _run(sync_conn) -> None:
        cfg.attributes["connection"] = sync_conn
        command.upgrade(cfg, revision)

    async with engine.begin() as conn:
        await conn.run_sync(_run)


class Database:
    """The engine plus a session factory; one per process."""

    def __init__(self, url: str):
        self.url = url
        self.engine = create_engine(url)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    async def migrate(self) -> None:
        await upgrade(self.engine)

    async def dispose(self) -> None:
        await self.engine.dispose()


async def open_database(url: str, migrate: bool = True) -> Database:
    db = Database(url)
    if migrate:
        await db.migrate()
    return db


def run_upgrade_blocking(url: str) -> None:
    async def _main() -> None:
        db = Database(url)
        try:
            await db.migrate()
        finally:
            await db.dispose()

    asyncio.run(_main())
