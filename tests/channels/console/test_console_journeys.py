"""Every journey walked in the console, as issue 12's walk-through did: a citizen, CNAP staff, a social
worker and their client, an admin — piped runs of `run_bot.py` on one database, as people would take turns.

Buttons are pressed by their words (`[Мої клієнти]`) or numbers, choices in the wizard are typed, and
time passing (a reminder falling due) is the one thing written straight into the database.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


class Community:
    """One test community: a database, its environment, and the commands its people run."""

    def __init__(self, tmp_path: Path):
        self.db = tmp_path / "community.sqlite3"
        self.files = tmp_path / "files"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_"))}
        self.env.update(BOT_DATABASE_URL=f"sqlite+aiosqlite:///{self.db}", BOT_KB_DIR=str(ROOT / "tests" / "data" / "kb"),
                        BOT_SECRET_KEY="journeys-key")
        self.run("db", "init")  # an installation starts with its database (commands never create one)

    def run(self, *argv: str, lines: list[str] = (), ok: tuple[int, ...] = (0,)) -> str:
        proc = subprocess.run([sys.executable, "run_bot.py", *argv], input="\n".join(lines) + "\n", cwd=ROOT,
                              env=self.env, capture_output=True, text=True, timeout=120)
        assert proc.returncode in ok, proc.stderr
        assert "Traceback" not in proc.stderr, proc.stderr
        return proc.stdout

    def console(self, user: str, lines: list[str], start: str = "") -> str:
        out = self.run("console", "--user", user, "--files", str(self.files), *(["--start", start] if start else []),
                       lines=lines)
        assert "застаріло" not in out and "сталася помилка" not in out, out
        return out

    def invite(self, *argv: str) -> str:
        return re.search(r"--start (inv_\S+)", self.run("staff", "invite", *argv)).group(1)


def after(out: str, line: str) -> str:
    """What the bot answered to this typed line (up to the next one)."""
    return out.split(f"> {line}\n", 1)[1].split("\n> ", 1)[0]


def saved_files(out: str) -> list[Path]:
    return [Path(p) for p in re.findall(r"\(file saved: (.+)\)", out)]


def staff_and_citizen(town: Community, staff_link: str) -> None:
    # --- CNAP staff accept their role ----------------------------------------------------------------
    out = town.console("olena", ["[Прийняти]"], start=staff_link)
    assert "як працівника ЦНАП" in out and "тепер ви працівник ЦНАП" in out and "Результати відгуків" in out

    # --- a citizen: search, a list of documents, a status lookup, feedback, forgetting ---------------------
    lines = ["субсидія", "[Призначення житлової субсидії]", "[Список документів]", "1",
             "/status", "CN-2026-00124", "+380501112233",
             "/menu", "[Залишити відгук]", "[ЦНАП тестової громади]", "1", "[Довге очікування]", "[Готово]",
             "2", "3", "4", "[Ні]", "[Треба прийти ще раз]", "Передзвоніть мені: 067 123 45 67",
             "/forget", "[Так, видалити]"]
    out = town.console("citizen", lines)
    assert out.startswith("Вітаю! Я помічник Тестової громади.")
    assert "останні 4 цифри свого телефону" in out  # the privacy notice says what a lookup uses
    assert "Зібрано 1 з" in after(out, "1")
    card = after(out, "+380501112233")
    assert "Заява № ЦН-2026-00124" in card and "Розглядається" in card  # a Latin «CN», a whole phone number
    assert "Нам шкода" in out  # the typed "1" meant the rating 1, not the button numbered 1
    assert "Телефони та адреси пошти буде прибрано" in out
    assert "Щиро дякуємо" in after(out, "Передзвоніть мені: 067 123 45 67")
    assert "Усі дані про вас видалено" in out

    # --- staff: the low-rating alert (masked) and the results with a chart they can open --------------------
    out = town.console("olena", ["[Результати відгуків]"])
    assert "Низька оцінка від відвідувача" in out and "☎ ***" in out and "067 123 45 67" not in out
    (chart,) = [p for p in saved_files(out) if p.name.startswith("feedback-")]
    assert chart.read_bytes().startswith(b"\x89PNG")
    assert "Відгуків: 1" in out and "Передзвоніть мені: ☎ ***" in out


def worker_and_client(town: Community, worker_link: str) -> None:
    # --- a social worker: a client, their invitation shown twice (the same link), a reminder -------------------
    out = town.console("petro", ["[Прийняти]", "Петро Іваненко, ЦНСП", "[Мої клієнти]", "[Додати клієнта]",
                                 "Ганна К.", "[Відкрити клієнта]", "[Показати запрошення ще раз]"], start=worker_link)
    assert "як соціального працівника" in out
    links = re.findall(r"--start (cl_\S+)", out)
    assert len(links) == 2 and links[0] == links[1]
    qr_codes = [p for p in saved_files(out) if p.name.startswith("invitation-")]
    assert len(qr_codes) == 2 and all(p.read_bytes().startswith(b"\x89PNG") for p in qr_codes)
    out = town.console("hanna", ["[Так, погоджуюся]"], start=links[0])
    assert "Що бачитиме соціальний працівник" in out and "Дякуємо!" in out

    wizard = ["[Мої клієнти]", "[Ганна К.]", "Ганна Коваленко, вул. Шевченка, 5", "[Нове нагадування]",
              "Запис на прийом", "ЦНАП, вікно 3; паспорт", "завтра", "10:00", "щоранку", "щотижня",
              "[Назад]", "[Назад]", "[Залишити]", "Щотижня", "[Підтвердити]"]
    out = town.console("petro", wizard)
    assert "Згоду від клієнта «Ганна К.» отримано" in out  # delivered while the worker was there
    assert "На цьому екрані текст не вводять" in after(out, "Ганна Коваленко, вул. Шевченка, 5")
    assert "Оберіть одну з відповідей" in after(out, "щоранку")
    assert "О котрій годині (за київським часом)?" in out and "Залишити: 10:00" in out  # Back kept the time
    check = after(out, "Щотижня")
    assert "Для клієнта «Ганна К.»" in check and "щотижня" in check and "о 10:00" in check and "вікно 3" in check
    assert "Збережено. Перше нагадування надійде" in after(out, "[Підтвердити]")
    assert "🕒" in after(out, "[Підтвердити]")

    # Time passes: tomorrow's reminder falls due.
    with sqlite3.connect(town.db) as conn:
        past = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)).strftime("%Y-%m-%d %H:%M:%S.%f")
        assert conn.execute("update outbox set due_at = ? where kind = 'reminder'", (past,)).rowcount == 1
    out = town.console("hanna", ["/help"])  # the console delivers what is due to the person typing in it
    assert "🔔 Нагадування — Петро Іваненко, ЦНСП:" in out and "Коли: завтра," in out and "о 10:00" in out
    assert "Де і що взяти: ЦНАП, вікно 3; паспорт" in out and "[Зрозуміло ✅]" not in out
    assert re.search(r"\[\d+\] Зрозуміло ✅", out) and re.search(r"\[\d+\] Головне меню 🏠", out)
    out = town.console("hanna", ["/stop", "1"])
    assert "більше не отримуватимете" in out

    out = town.console("petro", ["[Мої клієнти]", "[Ганна К.]", "[Запросити знову]"])
    assert "Нагадування для клієнта «Ганна К.» зупинено на прохання клієнта" in out
    new_link = re.findall(r"--start (cl_\S+)", out)[-1]
    assert new_link != links[0]
    out = town.console("hanna", ["[Так, погоджуюся]", f"/start {links[0]}"], start=new_link)
    assert "Чи погоджуєтеся" in out and "Дякуємо!" in out
    assert "Ви вже погодилися" in after(out, f"/start {links[0]}")


def test_every_journey_in_the_console(tmp_path):
    town = Community(tmp_path)

    # --- an admin prepares: invitations and the CNAP's statuses ------------------------------------
    admin_link = town.invite("--role", "admin", "--name", "Марія Коваль")
    staff_link = town.invite("--role", "staff", "--office", "cnap-main", "--name", "Олена Бондар")
    worker_link = town.invite("--role", "social_worker")
    statuses = tmp_path / "statuses.csv"
    statuses.write_text("Номер;Статус;Телефон\nЦН-2026-00124;в роботі;+380501112233\nЦН-2026-00127;Видано;0731239876\n"
                        "ЦН-2026-00128;Отримано;\n", encoding="utf-8")
    out = town.run("status", "import", str(statuses))
    assert "added 3" in out and "line 4: warning: no phone or code" in out
    older = tmp_path / "older.csv"
    older.write_text("Номер;Статус;Телефон\nЦН-2026-00127;Отримано;0731239876\n", encoding="utf-8")
    out = town.run("status", "import", str(older), ok=(1,))
    assert "line 2: refused:" in out and "1 refused (backward)" in out

    # Two chains of turns that do not wait for each other run side by side, as people would.
    with ThreadPoolExecutor(2) as pool:
        chains = [pool.submit(staff_and_citizen, town, staff_link), pool.submit(worker_and_client, town, worker_link)]
        for chain in chains:
            chain.result()

    # --- the admin: who has which role, by name and office; revoking one ------------------------------------
    out = town.console("maria", ["[Прийняти]", "[Працівники і ролі]", "[Відкликати: Олена Бондар]"], start=admin_link)
    team = after(out, "[Працівники і ролі]")
    assert "Олена Бондар — працівник ЦНАП, ЦНАП тестової громади" in team
    assert "Петро Іваненко, ЦНСП — соціальний працівник" in team and "#" not in team
    assert "роль відкликано" in after(out, "[Відкликати: Олена Бондар]")
    assert "Олена Бондар" not in after(out, "[Відкликати: Олена Бондар]").split("роль відкликано", 1)[1]
