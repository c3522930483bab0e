"""Storage on both real databases: migrations, repositories, privacy deletion, per-user locking."""

from __future__ import annotations

import asyncio

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select, text

from bot.features.checklists.models import Checklist
from bot.features.services.models import SearchMiss
from storage import people as repo
from storage.db import open_database
from storage.models import Base
from tests.chat import Chat
from tests.conftest import make_app, make_settings


async def test_migrations_create_exactly_the_models(db_url):
    db = await open_database(db_url, create=True)
    try:
        async with db.engine.connect() as conn:
            diff = await conn.run_sync(lambda c: compare_metadata(MigrationContext.configure(c), Base.metadata))
            tables = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
        assert diff == [], f"models and migrations disagree: {diff}"
        assert {"users", "conversations", "checklists", "roles", "search_misses", "alembic_version"} <= tables
        await db.migrate()  # applying again is a no-op
    finally:
        await db.dispose()


async def test_users_are_unique_per_channel(db_url):
    db = await open_database(db_url, create=True)
    try:
        async with db.sessions() as s, s.begin():
            a, created_a = await repo.get_or_create_user(s, "telegram", "42")
            b, created_b = await repo.get_or_create_user(s, "telegram", "42")
            c, _ = await repo.get_or_create_user(s, "viber", "42")
        assert created_a and not created_b and a.id == b.id != c.id
    finally:
        await db.dispose()


async def test_forget_leaves_nothing_personal_in_any_table(db_url, test_kb):
    core = await make_app(make_settings(db_url), test_kb)
    try:
        chat = Chat(core, user="secret-person-7788", channel="telegram")
        other = Chat(core, user="someone-else", channel="telegram")
        await other.start()
        await chat.start("svc_housing-subsidy")
        await chat.press("Список документів")
        await chat.press("☐ Заява")
        await chat.send("щжхзщшгне")  # a search miss: kept, but anonymous
        async with core.db.sessions() as s, s.begin():
            me = await repo.find_user(s, "telegram", "secret-person-7788")
            await repo.grant_role(s, me.id, "social_worker")
            my_id = me.id
        await chat.send("/forget")
        await chat.press("Так, видалити")
        assert "видалено" in chat.text

        # Scan every table, every row, every column.
        async with core.db.engine.connect() as conn:
            for table in Base.metadata.sorted_tables:
                rows = (await conn.execute(table.select())).mappings().all()
                for row in rows:
                    assert "secret-person-7788" not in repr(dict(row)), f"{table.name} still holds the person"
                    if "user_id" in row:
                        assert row["user_id"] != my_id, f"{table.name} still references the person"
                    if table.name == "users":
                        assert row["id"] != my_id
        async with core.db.sessions() as s:
            assert (await s.execute(select(SearchMiss.query))).scalars().all() == ["щжхзщшгне"]
            assert await repo.find_user(s, "telegram", "someone-else") is not None  # others untouched
            assert (await s.execute(select(Checklist))).first() is None

        # Writing again starts from scratch, with the privacy notice.
        replies = await chat.start()
        assert len(replies) == 2 and "/forget" in replies[0].text
    finally:
        await core.close()


async def test_two_processes_serialise_one_persons_events(db_url, test_kb):
    """Two bot processes (two cores, two engines) on one database: no update is lost."""
    core_a = await make_app(make_settings(db_url), test_kb)
    core_b = await make_app(make_settings(db_url), test_kb, migrate=False)
    try:
        await Chat(core_a).start()
        chats = [Chat(core_a), Chat(core_b)]
        await asyncio.gather(*(chats[n % 2].send("/help") for n in range(40)))
        async with core_a.db.sessions() as s:
            user = await repo.find_user(s, "console", "u1")
            conv = await repo.load_state(s, user.id, lock=False)
        assert conv.state["screen"] == 41
    finally:
        await core_a.close()
        await core_b.close()


async def test_sqlite_runs_in_wal_mode_and_deletes_without_a_trace(sqlite_url):
    db = await open_database(sqlite_url, create=True)
    try:
        async with db.engine.connect() as conn:
            assert (await conn.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
            assert (await conn.execute(text("PRAGMA foreign_keys"))).scalar() == 1
            assert (await conn.execute(text("PRAGMA secure_delete"))).scalar() == 1
            assert (await conn.execute(text("PRAGMA busy_timeout"))).scalar() == 0  # waits happen in asyncio
    finally:
        await db.dispose()


async def test_another_process_holding_the_sqlite_lock_is_waited_for_without_stopping_the_loop(sqlite_url, test_kb):
    """A CLI import holds the write lock for a while: the bot waits its turn, and meanwhile keeps serving."""
    import sqlite3

    from sqlalchemy.engine import make_url

    core = await make_app(make_settings(sqlite_url), test_kb)
    other = sqlite3.connect(make_url(sqlite_url).database, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # the other process's write transaction
        ticks = 0

        async def heartbeat() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        beat = asyncio.create_task(heartbeat())
        event = asyncio.create_task(Chat(core).start())
        await asyncio.sleep(0.5)
        assert not event.done() and ticks >= 20, ticks  # waiting, and the loop kept running
        other.execute("COMMIT")
        replies = await asyncio.wait_for(event, 10)
        beat.cancel()
        assert replies and replies[-1].text.startswith("Головне меню")
    finally:
        other.close()
        await core.close()


async def test_the_upgrade_to_never_reused_ids_keeps_every_row(sqlite_url):
    """SQLite rebuilds tables to add AUTOINCREMENT: with foreign keys on, dropping the old `users` would
    cascade into every table about a person. Nothing may be lost, and freed ids are not handed out again."""
    from storage.db import Database, upgrade

    db = Database(sqlite_url)
    try:
        await upgrade(db.engine, "0006")
        async with db.engine.begin() as conn:
            for n in (1, 2, 3):
                await conn.execute(text("INSERT INTO users (id, channel, external_id, privacy_seen, created_at, last_seen_at) "
                                        "VALUES (:n, 'console', :e, 1, '2026-01-01', '2026-01-01')"), {"n": n, "e": f"p{n}"})
                await conn.execute(text("INSERT INTO conversations (user_id, state, updated_at) VALUES (:n, '{}', '2026-01-01')"),
                                   {"n": n})
                await conn.execute(text("INSERT INTO roles (user_id, role, scope, created_at) VALUES (:n, 'staff', '', '2026-01-01')"),
                                   {"n": n})
        await db.migrate()
        async with db.engine.begin() as conn:
            counts = [(await conn.execute(text(f"SELECT count(*) FROM {t}"))).scalar() for t in ("users", "conversations", "roles")]
            assert counts == [3, 3, 3]
            await conn.execute(text("DELETE FROM users WHERE id = 3"))
            assert (await conn.execute(text("SELECT count(*) FROM roles"))).scalar() == 2  # cascades still work
        async with db.sessions() as s, s.begin():
            user, _ = await repo.get_or_create_user(s, "console", "newcomer")
        assert user.id == 4  # not the freed 3
    finally:
        await db.dispose()


def test_db_upgrade_command(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.sqlite3'}"
    root = Path(__file__).resolve().parents[2]
    for action in ("init", "upgrade"):
        proc = subprocess.run([sys.executable, "run_bot.py", "db", action], cwd=root, capture_output=True, text=True,
                              env={**os.environ, "BOT_DATABASE_URL": url}, timeout=120)
        assert proc.returncode == 0, proc.stderr
        assert "up to date" in proc.stdout
    import sqlite3

    with sqlite3.connect(tmp_path / "cli.sqlite3") as conn:
        from alembic.script import ScriptDirectory

        from storage.db import alembic_config

        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
        assert conn.execute("select version_num from alembic_version").fetchone() == (head,)
