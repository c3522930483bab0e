"""The database: engines, migrations, and whether it is still there and usable.

SQLite (one process, plus CLI commands) runs in the event loop's thread (storage/sqlite_async.py) on
one pooled connection: transactions take turns in arrival order instead of busy-waiting on SQLite's
lock. WAL; `BEGIN IMMEDIATE`, retried with asyncio sleeps while another process holds the lock;
`secure_delete`, so deleted rows leave no bytes behind, and a checkpoint after /forget empties the log.
PostgreSQL (several processes) uses asyncpg with a pool sized for many events in flight and no
pre-ping round trip per checkout: a connection that died fails one transaction, which is retried.

Statement parameters are never rendered into errors (`hide_parameters`): they hold chat ids, secrets.

Nothing here creates a database by accident: `open_database(create=False)` refuses when there is none
(a deleted SQLite file must not silently become a new, empty one); `run_bot.py db init` creates it.
"""

from __future__ import annotations

import ast
import asyncio
import functools
import json
import logging
import os
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import event, inspect, text
from sqlalchemy.dialects import registry
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool
from sqlalchemy.util.concurrency import await_

from storage import sqlite_async

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
IDENTITY = "database_id"
LOCK_WAIT = 30.0  # seconds to wait for another process's SQLite write lock
registry.register(f"sqlite.{sqlite_async.NAME}", "storage.sqlite_async", "Dialect")
log = logging.getLogger(__name__)


class DatabaseMissing(Exception):
    """There is no database where the settings point, and nobody asked to create one."""


class Unavailable(Exception):
    """The database cannot take writes now (gone, replaced, read-only, full, unreachable)."""


def rowcount(result: Any) -> int:
    """Rows an UPDATE/DELETE/INSERT touched (a CursorResult's rowcount; 0 when the driver cannot tell)."""
    return int(getattr(result, "rowcount", 0) or 0)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def sqlite_path(url: str) -> Path | None:
    database = make_url(url).database
    return Path(database) if is_sqlite(url) and database and database != ":memory:" else None


# SQLSTATEs and SQLite messages that mean "the database cannot be used now", not "this statement is wrong".
_PG_UNAVAILABLE = ("08", "25006", "53", "57P")
_SQLITE_UNAVAILABLE = ("disk i/o error", "database or disk is full", "readonly database", "unable to open",
                       "database is locked", "no such table", "disk image is malformed")


def unavailable(exc: BaseException) -> bool:
    """Whether an error says the database is unusable (so the caller answers "try later", not a bug)."""
    if isinstance(exc, Unavailable):
        return True
    if not isinstance(exc, DBAPIError):
        return isinstance(exc, (ConnectionError, OSError))
    if exc.connection_invalidated:
        return True
    code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None) or ""
    if code:
        return str(code).startswith(_PG_UNAVAILABLE)
    message = str(exc.orig).lower()
    return any(m in message for m in _SQLITE_UNAVAILABLE) or "connection" in message


def _json(value: Any) -> str:
    # UTF-8 as it is: Ukrainian text escaped as \uXXXX would take three times the room (and time).
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def create_engine(url: str, *, foreign_keys: bool = True, pooled: bool = True) -> AsyncEngine:
    if not is_sqlite(url):
        return create_async_engine(url, hide_parameters=True, json_serializer=_json, pool_size=10, max_overflow=15,
                                   pool_timeout=60)
    driver = make_url(url).set(drivername=f"sqlite+{sqlite_async.NAME}")
    options: dict[str, Any] = {"pool_size": 1, "max_overflow": 0, "pool_timeout": 120} if pooled else {
        "poolclass": NullPool}
    engine = create_async_engine(driver, hide_parameters=True, json_serializer=_json, **options)

    @event.listens_for(engine.sync_engine, "connect")
    def _sqlite_pragmas(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # SQLAlchemy, not the driver, decides when a transaction starts
        for pragma in ("busy_timeout=5000", "journal_mode=WAL", "synchronous=NORMAL", "secure_delete=ON",
                       f"foreign_keys={'ON' if foreign_keys else 'OFF'}", "busy_timeout=0"):
            dbapi_conn.execute(f"PRAGMA {pragma}")

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(conn):
        if conn.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
            return
        # Take the write lock up front: a deferred BEGIN lets two processes read the same state and
        # both write it back, losing one update. Another process holding it (a CLI import): wait
        # without blocking the event loop.
        raw = conn.connection.dbapi_connection
        deadline, delay = time.monotonic() + LOCK_WAIT, 0.002
        while True:
            try:
                raw.execute("BEGIN IMMEDIATE")
                return
            except Exception as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
            await_(asyncio.sleep(delay))
            delay = min(delay * 2, 0.1)

    return engine


def alembic_config(url: str | None = None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


@functools.cache
def head_revisions() -> frozenset[str]:
    """The newest migration(s), read from the scripts without loading Alembic (a start that needs no
    migration does not pay for importing it)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
                name, value = node.targets[0].id, node.value
                if name == "revision":
                    revisions.add(ast.literal_eval(value))
                elif name == "down_revision" and (down := ast.literal_eval(value)):
                    parents.update([down] if isinstance(down, str) else down)
    return frozenset(revisions - parents)


def _current_heads(sync_conn) -> set[str]:
    if not inspect(sync_conn).has_table("alembic_version"):
        return set()
    return {row[0] for row in sync_conn.exec_driver_sql("SELECT version_num FROM alembic_version")}


async def upgrade(engine: AsyncEngine, revision: str = "heads") -> None:
    """Apply migrations (on start, `db init`, `db upgrade`). SQLite runs them on a connection of its
    own with foreign keys off: rebuilding a table (ALTER on SQLite) must not cascade deletes."""
    from alembic import command

    cfg = alembic_config()

    def _run(sync_conn) -> None:
        if sync_conn.dialect.name == "postgresql":  # processes starting together migrate one at a time
            sync_conn.exec_driver_sql("SELECT pg_advisory_xact_lock(4806211)")
        cfg.attributes["connection"] = sync_conn
        command.upgrade(cfg, revision)
        if sync_conn.dialect.name == "sqlite":
            broken = sync_conn.exec_driver_sql("PRAGMA foreign_key_check").all()
            if broken:
                raise RuntimeError(f"migration left rows whose references are broken: {broken[:5]}")

    url = engine.url.render_as_string(hide_password=False)
    if is_sqlite(url):
        engine = create_engine(url, foreign_keys=False, pooled=False)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(_run)
            if revision != "heads":
                return
            await conn.execute(text("INSERT INTO meta (key, value) VALUES (:k, :v) ON CONFLICT (key) DO NOTHING"),
                               {"k": IDENTITY, "v": uuid.uuid4().hex})
    finally:
        if is_sqlite(url):
            await engine.dispose()


class Database:
    """The engine plus a session factory; one per process."""

    def __init__(self, url: str):
        self.url = url
        self.engine = create_engine(url)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self.path = sqlite_path(url)
        self.identity: str | None = None  # the database's own id (meta), read at start
        self._file: tuple[int, int] | None = None  # the SQLite file (device, inode) at start
        self._problem: str | None = None  # found by the last check()

    async def exists(self) -> bool:
        """A database is there: the SQLite file, or PostgreSQL tables made by our migrations."""
        if self.path is not None and not self.path.exists():
            return False
        async with self.engine.connect() as conn:
            return bool(await conn.run_sync(lambda c: inspect(c).has_table("alembic_version")))

    async def migrate(self) -> None:
        async with self.engine.connect() as conn:
            if await conn.run_sync(_current_heads) == head_revisions():
                return  # up to date: the usual start
        await upgrade(self.engine)

    async def remember(self) -> None:
        """Note which database this is, to notice later if it vanished or was replaced."""
        if self.path is not None:
            st = os.stat(self.path)
            self._file = (st.st_dev, st.st_ino)
        async with self.engine.connect() as conn:
            self.identity = (await conn.execute(text("SELECT value FROM meta WHERE key = :k"), {"k": IDENTITY})).scalar()

    def lost(self) -> str | None:
        """Cheap, for every request and event: why this database must not be written to, or None."""
        if self._file is not None and self.path is not None:
            try:
                st = os.stat(self.path)
            except OSError:
                return "the database file is gone"
            if (st.st_dev, st.st_ino) != self._file:
                return "the database file was replaced"
        return self._problem

    def guard(self) -> None:
        problem = self.lost()
        if problem:
            raise Unavailable(problem)

    async def check(self) -> dict[str, Any]:
        """Readiness: reachable, writable, migrated, and the database this process started with."""
        checks: dict[str, Any] = {}
        problem = self.lost()
        if problem is None:
            try:
                async with self.engine.begin() as conn:
                    identity = (await conn.execute(text("SELECT value FROM meta WHERE key = :k"),
                                                   {"k": IDENTITY})).scalar()
                    heads = await conn.run_sync(_current_heads)
                    # A real change (SQLite skips writing a value onto itself): a full disk or a read-only
                    # database fails here.
                    await conn.execute(text("INSERT INTO meta (key, value) VALUES ('checked_at', :v) "
                                            "ON CONFLICT (key) DO UPDATE SET value = excluded.value"),
                                       {"v": uuid.uuid4().hex})
                checks["writable"] = True
                checks["migrations"] = "current" if heads == head_revisions() else f"behind ({', '.join(sorted(heads))})"
                if identity != self.identity:
                    problem = "not the database this process started with"
                elif heads != head_revisions():
                    problem = "database migrations are not current: run `run_bot.py db upgrade`"
            except Exception as exc:  # unreachable, read-only, full: not ready, and say why (no parameters)
                checks["writable"] = False
                problem = f"the database cannot be written to ({type(getattr(exc, 'orig', exc)).__name__})"
        # Remember only what a restart cannot fix by itself: the next check may find the disk freed.
        self._problem = problem if problem and "not the database" in problem else None
        checks["ok"] = problem is None
        if problem:
            checks["problem"] = problem
        return checks

    async def checkpoint(self) -> None:
        """SQLite: move the write-ahead log into the database and empty it (after /forget, so what was
        deleted is not left in the log)."""
        if self.path is None:
            return
        async with self.engine.connect() as conn:
            auto = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await auto.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

    async def dispose(self) -> None:
        await self.engine.dispose()


async def open_database(url: str, migrate: bool = True, create: bool = False) -> Database:
    """Open (and migrate) the database. With create=False a missing one is an error, not a new one."""
    if not create:
        path = sqlite_path(url)
        if path is not None and not path.exists():
            raise DatabaseMissing(url)
    elif (path := sqlite_path(url)) is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    db = Database(url)
    try:
        if not create and not await db.exists():
            raise DatabaseMissing(url)
        if migrate:
            await db.migrate()
        await db.remember()
    except BaseException:
        await db.dispose()
        raise
    return db


def missing_message(url: str) -> str:
    shown = make_url(url).render_as_string(hide_password=True)
    return (f"No database at {shown}. If this is a new installation, create it with `python run_bot.py db init`; "
            "if it should be there, restore it from a backup first. (The bot never starts on a new, empty "
            "database by itself: that would silently lose every person, token and application.)")

