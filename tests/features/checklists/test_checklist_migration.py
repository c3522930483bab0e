"""The migration that gives document lists a chosen path and "not for me" marks, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import inspect, select, text

from bot.features.checklists.models import Checklist
from storage.db import Database, upgrade
from tests.chat import Chat
from tests.conftest import make_app, make_settings

BEFORE = "0006"


async def test_lists_made_before_the_migration_keep_their_ticks_and_get_no_path_and_no_marks(db_url, test_kb):
    db = Database(db_url)
    try:
        await upgrade(db.engine, BEFORE)
        async with db.engine.begin() as conn:
            columns = await conn.run_sync(lambda c: {col["name"] for col in inspect(c).get_columns("checklists")})
            assert "path" not in columns and "not_applicable" not in columns
            await conn.execute(text("INSERT INTO users (id, channel, external_id, lang, privacy_seen, created_at, "
                                    "last_seen_at) VALUES (1, 'console', 'old-user', 'uk', true, "
                                    "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
            await conn.execute(text("INSERT INTO checklists (user_id, service_id, ticked, created_at, updated_at) "
                                    "VALUES (1, 'id-card', '[\"name-change\"]', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
        await upgrade(db.engine)
        async with db.sessions() as s:
            cl = (await s.execute(select(Checklist))).scalar_one()
        assert (cl.ticked, cl.path, cl.not_applicable) == (["name-change"], None, [])
    finally:
        await db.dispose()

    core = await make_app(make_settings(db_url), test_kb, migrate=False)
    try:
        chat = Chat(core, user="old-user")
        await chat.send("/checklists")
        assert "Зібрано 1 з 3" in chat.text  # no case chosen yet: every document is listed
        await chat.press("ID-картки")
        assert "Для чого паспорт?" in chat.text  # the question is asked when the list is opened
        await chat.press("Обмін")
        assert "Зібрано 1 з 2" in chat.text and "☑ Свідоцтво про шлюб" in chat.labels
        async with core.db.sessions() as s:
            assert (await s.execute(select(Checklist.path))).scalar_one() == "exchange"
    finally:
        await core.close()
