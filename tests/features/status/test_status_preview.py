"""The importer's dry run (the console's preview) says what the import will do and writes nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.features.status import store as apps
from bot.features.status.importer import import_file
from bot.features.status.models import Application, ApplicationEvent
from storage.models import Outbox
from tests.conftest import make_app, make_settings

KEY = b"preview-test-key"


async def counts(core) -> tuple[int, int, int]:
    async with core.db.sessions() as s:
        return tuple([(await s.execute(select(func.count()).select_from(t))).scalar_one()  # type: ignore[return-value]
                      for t in (Application, ApplicationEvent, Outbox)])


async def test_a_dry_run_reports_every_row_and_changes_nothing(db_url, test_kb, tmp_path):
    core = await make_app(make_settings(db_url), test_kb, search=False)
    try:
        async with core.db.sessions() as s, s.begin():
            await apps.upsert(s, apps.ApplicationUpdate("A-1", "received", office_id="cnap-main"), "test", KEY)
            await apps.upsert(s, apps.ApplicationUpdate("B-1", "received", office_id="social-protection"), "test", KEY)
        sheet = tmp_path / "s.csv"
        sheet.write_text("number,status,office_id\nA-1,ready,cnap-main\nN-2,in_progress,cnap-main\nX-3,lost,\n"
                         "B-1,ready,social-protection\nN-4,ready,social-protection\n", encoding="utf-8")
        before = await counts(core)
        preview = await import_file(core.db, sheet, kb=test_kb, key=KEY, dry_run=True, keep_rows=True,
                                    offices={"cnap-main"})
        assert await counts(core) == before
        assert [(r.line, r.number, r.before, r.after, r.result) for r in preview.rows] == [
            (2, "A-1", "received", "ready", "changed"), (3, "N-2", None, "in_progress", "added")]
        assert [line for line, _why in preview.rejected] == [4, 5, 6]  # a bad status, and two of another office
        real = await import_file(core.db, sheet, kb=test_kb, key=KEY, offices={"cnap-main"})
        assert (real.added, real.changed, len(real.rejected)) == (preview.added, preview.changed, len(preview.rejected))
        async with core.db.sessions() as s:
            assert (await apps.find(s, "A-1")).status == "ready" and (await apps.find(s, "B-1")).status == "received"
        everything = await import_file(core.db, sheet, kb=test_kb, key=KEY)  # the CLI: no office limit, as before
        assert (everything.added, everything.changed, len(everything.rejected)) == (1, 1, 1)
    finally:
        await core.close()
