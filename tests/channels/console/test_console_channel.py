"""The console as a person uses it (issue 12, items 15–17): files they can open, numbers that stay put,
notifications only for them, rating digits that mean the rating, and Ctrl-C that ends it at once."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from bot.channels.console import ConsoleChannel, ConsoleSender, numbering
from bot.core.events import Attachment, Button, Reply
from bot.delivery import outbox
from storage import people
from storage.models import Outbox
from tests.conftest import make_app, make_settings

ROOT = Path(__file__).resolve().parents[3]


def console(tmp_path: Path) -> ConsoleChannel:
    return ConsoleChannel(host=None, user_id="me", lang="uk", out=io.StringIO(), files_dir=tmp_path / "files")


def test_files_the_bot_sends_are_saved_and_their_path_printed(tmp_path):
    c = console(tmp_path)
    png = b"\x89PNG\r\n\x1a\n-chart-"
    c.render([Reply("Результати", attachments=[Attachment("image", "feedback.png", png)]),
              Reply("Ще раз", attachments=[Attachment("image", "feedback.png", png + b"2")])])
    printed = c.out.getvalue()
    paths = [Path(line.split("(file saved: ", 1)[1].rstrip(")")) for line in printed.splitlines() if "file saved" in line]
    assert [p.read_bytes() for p in paths] == [png, png + b"2"] and paths[0] != paths[1]
    assert all(p.is_absolute() and p.parent == (tmp_path / "files").resolve() for p in paths)
    assert "bytes)" not in printed


def test_a_notification_mid_screen_keeps_the_screens_numbers(tmp_path):
    c = console(tmp_path)
    c.render([Reply("Який день?", [[Button("Сьогодні", "rdate:1"), Button("Завтра", "rdate:2")], [Button("Назад", "back")]])])
    c.render([Reply("🔔 Статус змінився", [[Button("Відкрити заяву", "app:7")]])], notification=True)
    assert "  [4] Відкрити заяву" in c.out.getvalue()
    assert c.to_event("2").payload == "rdate:2" and c.to_event("4").payload == "app:7"
    c.render([Reply("Котра година?", [[Button("09:00", "rtime:0900")]])])  # the next screen starts again at 1
    assert c.to_event("1").payload == "rtime:0900" and c.to_event("4").kind == "text"


def test_a_rating_scale_is_numbered_by_its_own_digits():
    labels = ["5 — Чудово", "4 — Добре", "3 — Прийнятно", "2 — Погано", "1 — Дуже погано", "Пропустити ⏭", "Головне меню 🏠"]
    assert numbering(labels) == [5, 4, 3, 2, 1, 6, 7]
    assert numbering(["Так", "Ні", "Меню"]) == [1, 2, 3]
    assert numbering(["3 — три", "1 — один"]) == [1, 2]  # not a whole scale: plain order
    c = ConsoleChannel(host=None, user_id="me", lang="uk", out=io.StringIO())
    c.render([Reply("Оцініть", [[Button(label, f"fba:r:0:{label[0]}")] for label in labels[:5]])])
    assert c.to_event("5").payload == "fba:r:0:5" and c.to_event("1").payload == "fba:r:0:1"


async def test_a_console_delivers_only_to_its_own_user(sqlite_url, test_kb, tmp_path):
    app = await make_app(make_settings(sqlite_url), test_kb)
    try:
        async with app.db.sessions() as s, s.begin():
            for who in ("anna", "boris"):
                user, _ = await people.get_or_create_user(s, "console", who)
                await outbox.enqueue(s, user_id=user.id, channel="console", kind="text",
                                     payload={"text": f"для {who}"}, key=f"k-{who}")
        anna = ConsoleChannel(host=app, user_id="anna", lang="uk", out=io.StringIO(), files_dir=tmp_path)
        assert await app.delivery_worker([ConsoleSender(anna)]).run_once() == 1
        assert "для anna" in anna.out.getvalue() and "для boris" not in anna.out.getvalue()
        async with app.db.sessions() as s:
            states = dict((await s.execute(select(Outbox.idempotency_key, Outbox.state))).all())
            boris_row = (await s.execute(select(Outbox).where(Outbox.idempotency_key == "k-boris"))).scalar_one()
        assert states == {"k-anna": "sent", "k-boris": "pending"} and boris_row.attempts == 0  # not even tried
        boris = ConsoleChannel(host=app, user_id="boris", lang="uk", out=io.StringIO(), files_dir=tmp_path)
        assert await app.delivery_worker([ConsoleSender(boris)]).run_once() == 1
        assert "для boris" in boris.out.getvalue()
    finally:
        await app.close()


def test_ctrl_c_ends_the_console_at_once_without_a_traceback(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_"))}
    env["BOT_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'c.sqlite3'}"
    env["BOT_KB_DIR"] = str(ROOT / "tests" / "data" / "kb")
    proc = subprocess.Popen([sys.executable, "run_bot.py", "console", "--user", "ctrl-c"], cwd=ROOT, env=env,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for line in proc.stdout:  # wait until the bot has answered: it is now waiting for input
            if "Головне меню" in line or "[1]" in line:
                break
        proc.send_signal(signal.SIGINT)  # stdin stays open: nobody presses Enter
        assert proc.wait(timeout=15) == 130
    finally:
        proc.kill()
    stderr = proc.stderr.read()
    assert "Traceback" not in stderr, stderr


def test_a_button_can_be_pressed_by_its_words_in_brackets(tmp_path):
    c = console(tmp_path)
    c.render([Reply("Меню", [[Button("Знайти послугу 🔎", "find")], [Button("Мої клієнти та нагадування 👥", "clients")]])])
    assert c.to_event("[мої клієнти]").payload == "clients"
    assert c.to_event("[немає такої]").kind == "text"
