"""Imports and the API never move a closed application back silently (issue 12, items 9–10)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.features.status import store as apps
from bot.features.status.importer import import_file
from tests.conftest import make_app, make_settings
from tests.features.status.test_status_api import Server, new_token

KEY = b"test-secret-key"
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
async def score(db_url, test_kb):
    core = await make_app(make_settings(db_url, BOT_SECRET_KEY=KEY.decode()), kb=test_kb)
    yield core
    await core.close()


def write(path: Path, *rows: str) -> Path:
    path.write_text("Номер;Статус;Телефон\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


async def test_an_older_file_does_not_move_an_issued_application_back(score, tmp_path):
    await import_file(score.db, write(tmp_path / "a.csv", "ЦН-1;Отримано;0501112233", "ЦН-2;Отримано;0501112233"),
                      kb=score.kb, key=KEY)
    await import_file(score.db, write(tmp_path / "b.csv", "ЦН-1;Видано;0501112233", "ЦН-2;Відмовлено;0501112233"),
                      kb=score.kb, key=KEY)
    old = write(tmp_path / "old.csv", "ЦН-1;Отримано;0501112233", "ЦН-2;Готово;0501112233")
    summary = await import_file(score.db, old, kb=score.kb, key=KEY)
    assert len(summary.refused) == 2 and summary.changed == summary.unchanged == 0 and not summary.rejected
    reasons = dict(summary.refused)
    assert "issued" in reasons[2] and "received" in reasons[2] and "--allow-backward" in reasons[2]
    assert "refused" in reasons[3]
    async with score.db.sessions() as s:
        app = await apps.find(s, "ЦН-1")
        assert app.status == "issued"
        assert [e.status for e in await apps.history(s, app.id)] == ["received", "issued"]

    forced = await import_file(score.db, old, kb=score.kb, key=KEY, allow_backward=True)
    assert (forced.changed, forced.refused) == (2, [])
    async with score.db.sessions() as s:
        assert (await apps.find(s, "ЦН-1")).status == "received"


async def test_rows_nobody_can_look_up_are_warned_about_and_counted(score, tmp_path):
    path = write(tmp_path / "a.csv", "ЦН-1;Отримано;", "ЦН-2;Отримано;0501112233", "ЦН-3;Готово;")
    summary = await import_file(score.db, path, kb=score.kb, key=KEY)
    assert summary.added == 3 and summary.no_secret == [2, 4]
    assert "2 without a phone or code" in summary.line()
    # Once a phone is known, a later row without one is fine: the stored code still works.
    again = await import_file(score.db, write(tmp_path / "b.csv", "ЦН-2;Готово;"), kb=score.kb, key=KEY)
    assert again.no_secret == []
    strict = await import_file(score.db, write(tmp_path / "c.csv", "ЦН-4;Отримано;", "ЦН-5;Отримано;0501112233"),
                               kb=score.kb, key=KEY, require_secret=True)
    assert strict.added == 1 and [line for line, _ in strict.rejected] == [2]


def test_the_cli_reports_each_refused_row(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_"))}
    env["BOT_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'cli.sqlite3'}"
    env["BOT_SECRET_KEY"] = "k"

    def status_import(path: Path, *flags: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "run_bot.py", "status", "import", str(path), *flags], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120)

    init = subprocess.run([sys.executable, "run_bot.py", "db", "init"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert init.returncode == 0, init.stderr

    status_import(write(tmp_path / "a.csv", "ЦН-1;Видано;0501112233"))
    out = status_import(write(tmp_path / "b.csv", "ЦН-1;Отримано;0501112233", "ЦН-9;Отримано;"))
    assert out.returncode == 1
    assert "line 2: refused:" in out.stdout and "line 3: warning:" in out.stdout
    assert "1 refused (backward)" in out.stdout and "1 without a phone or code" in out.stdout
    out = status_import(tmp_path / "b.csv", "--allow-backward")
    assert "changed 1" in out.stdout


async def test_the_api_answers_409_for_a_backward_move(db_url, test_kb):
    core = await make_app(make_settings(db_url, BOT_SECRET_KEY="k"), test_kb)
    try:
        async with Server(core, core.web_app(core.open_channels())) as api:
            token = await new_token(core)
            path = "/api/v1/applications/ЦН-10"
            assert (await api.call("PUT", path, token=token, json={"status": "issued", "secret": "4821"}))[0] == 201
            status, out = await api.call("PUT", path, token=token, json={"status": "received"})
            assert status == 409 and out["error"]["code"] == "backward_move" and "issued" in out["error"]["message"]
            status, out = await api.call("PUT", path, token=token, json={"status": "received", "allow_backward": True})
            assert status == 200 and out["result"] == "changed"
            status, doc = await api.call("GET", "/api/v1/openapi.json")
            assert "409" in doc["paths"]["/api/v1/applications/{number}"]["put"]["responses"]
    finally:
        await core.close()
