"""SQLite for the asyncio engine, run in the event loop's own thread.

aiosqlite runs every call on a helper thread and wakes the event loop for each result; SQLAlchemy's
adapter makes four such calls per statement, and that traffic cost three to four times what SQLite
itself spends on the bot's small statements (an event cost ~2 ms of it). SQLite is a library, not a
server: a statement here takes microseconds, so it is cheaper to run it where the caller already is.

What could block the loop is handled apart:
* Another process holding the write lock (a CLI import): the connection does not wait inside
  SQLite (busy_timeout 0); `storage.db` retries BEGIN IMMEDIATE with asyncio sleeps instead.
* Within the process, transactions take turns on one pooled connection (pool of 1, waiting in an
  asyncio queue in arrival order), so they never meet SQLite's lock at all.

SQLAlchemy's asyncio bridge insists that a statement awaits something; each statement yields once
to satisfy it (a completed coroutine: no trip through the event loop).
"""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import pool
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.util.concurrency import await_, in_greenlet

NAME = "hromada_sqlite"


async def _ready() -> None:
    return None


def _yield() -> None:
    if in_greenlet():
        await_(_ready())


class Cursor(sqlite3.Cursor):
    def execute(self, sql: str, parameters: Any = (), /) -> Cursor:  # type: ignore[override]
        _yield()
        return super().execute(sql, parameters)

    def executemany(self, sql: str, seq_of_parameters: Any, /) -> Cursor:  # type: ignore[override]
        _yield()
        return super().executemany(sql, seq_of_parameters)

    async def _async_soft_close(self) -> None:
        """Asked of async drivers' cursors after a statement; rows are read from this one as needed."""


class Connection(sqlite3.Connection):
    def cursor(self, factory: Any = Cursor) -> Cursor:  # type: ignore[override]
        return super().cursor(factory)


class Dialect(SQLiteDialect_pysqlite):
    """pysqlite, declared asynchronous: SQLAlchemy's async engine and pool drive it directly."""

    is_async = True
    supports_statement_cache = True

    @classmethod
    def get_pool_class(cls, url: Any) -> type[pool.Pool]:
        return pool.AsyncAdaptedQueuePool

    def connect(self, *cargs: Any, **cparams: Any) -> Any:
        cparams["factory"] = Connection
        return super().connect(*cargs, **cparams)
