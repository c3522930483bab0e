"""The console channel end to end: pipe a conversation into `run_bot.py console`."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def run_console(tmp_path: Path, lines: list[str], *args: str, kb_dir: str | None = None) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_"))}
    env["BOT_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'console.sqlite3'}"
    if kb_dir:
        env["BOT_KB_DIR"] = kb_dir
    proc = subprocess.run(
        [sys.executable, "run_bot.py", "console", *args],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_console_main_menu_every_item_and_forget(tmp_path):
    tests_kb = str(ROOT / "tests" / "data" / "kb")
    script = ["1", "/menu", "2", "/menu", "3", "/menu", "4", "/menu", "5", "/menu", "6", "/forget", "1"]
    out = run_console(tmp_path, script, "--user", "console-test", kb_dir=tests_kb)
    assert out.startswith("Вітаю!")
    assert "  [1] Знайти послугу 🔎" in out and "  [6] Допомога ❓" in out
    for expected in ["Введіть своїми словами", "ще немає чек-листів", "Статус заяви", "] Соцзахист",
                     "Оберіть мову бота", "Як користуватися ботом", "Усі дані про вас видалено"]:
        assert expected in out, expected
    assert "застаріло" not in out and "помилка" not in out


def test_console_is_english_with_lang_and_handles_deep_link_start(tmp_path):
    tests_kb = str(ROOT / "tests" / "data" / "kb")
    out = run_console(tmp_path, ["99"], "--lang", "en", "--start", "svc_id-card", kb_dir=tests_kb)
    assert "Hello!" in out and "Issuing the Ukrainian ID-card passport" in out
    assert "> 99\nI could not find a service that clearly matches «99»" in out  # not a button: sent as text


def test_console_subsidy_search_card_checklist_tick_my_checklists(tmp_path):
    """The citizen's core journey on the real knowledge base."""
    out = run_console(tmp_path, ["субсидія"], "--user", "journey")
    results = out.split("> субсидія", 1)[1]
    first = re.search(r"\[(\d+)\] (.+)", results)
    assert first and "субсиді" in first.group(2).lower(), results[:500]

    out = run_console(tmp_path, ["субсидія", first.group(1)], "--user", "journey2")
    card = out.split(f"> {first.group(1)}", 1)[1]
    assert "Документи, які потрібно взяти" in card and "Адреса:" in card and "Телефон:" in card
    start = re.search(r"\[(\d+)\] Почати мій чек-лист", card).group(1)

    out = run_console(tmp_path, ["субсидія", first.group(1), start, "1", "/checklists"], "--user", "journey3")
    checklist = out.split(f"> {start}", 1)[1]
    total = int(re.search(r"Зібрано 0 з (\d+)", checklist).group(1))
    assert f"Зібрано 1 з {total}" in out.split("> 1", 1)[1]
    assert "  [1] ☑ " in out.split("> 1", 1)[1]
    mine = out.split("> /checklists", 1)[1]
    assert "Ваші чек-листи" in mine and f"Зібрано 1 з {total}" in mine


def test_console_social_worker_invites_a_client_and_schedules_a_reminder(tmp_path):
    """The worker's wizard end to end in the console (piped input), with the client in another session."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_"))}
    env["BOT_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'console.sqlite3'}"
    env["BOT_KB_DIR"] = str(ROOT / "tests" / "data" / "kb")
    init = subprocess.run([sys.executable, "run_bot.py", "db", "init"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)  # an installation starts with its database
    assert init.returncode == 0, init.stderr
    invite = subprocess.run([sys.executable, "run_bot.py", "staff", "invite", "--role", "social_worker"], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=120)
    assert invite.returncode == 0, invite.stderr
    payload = re.search(r"--start (inv_\S+)", invite.stdout).group(1)

    def console(user: str, start: str, lines: list[str]) -> str:
        proc = subprocess.run([sys.executable, "run_bot.py", "console", "--user", user, "--start", start],
                              input="\n".join(lines) + "\n", capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    def button(out: str, label: str) -> str:
        return re.findall(rf"\[(\d+)\] [^\n]*{label}", out)[-1]

    out = console("worker", payload, ["1"])  # accept the role
    assert "соціальний працівник" in out
    menu_no = button(out, "Мої клієнти")
    out = console("worker", "", [menu_no, "Олена, ЦНСП", "1"])  # name, then "Add a client" is [1]
    out = console("worker", "", [menu_no, button(out, "Додати клієнта"), "Ганна К."])
    client_payload = re.search(r"--start (cl_\S+)", out).group(1)
    out = console("client", client_payload, ["1"])  # "Yes, I agree"
    assert "Дякуємо!" in out

    out = console("worker", "", [menu_no])
    steps = [menu_no, button(out, "Ганна К.")]
    out = console("worker", "", steps)
    steps.append(button(out, "Нове нагадування"))
    out = console("worker", "", steps)
    steps.append(button(out, "Візит додому"))
    out = console("worker", "", steps)
    steps.append(button(out, "Завтра"))
    out = console("worker", "", steps)
    steps.append("11:45")
    out = console("worker", "", steps)
    steps.append(button(out, "щодня"))
    out = console("worker", "", steps)
    assert "Перевірте нагадування" in out and "11:45" in out and "щодня" in out
    steps.append(button(out.split("Перевірте нагадування")[-1], "Підтвердити"))
    out = console("worker", "", steps)
    assert "Збережено. Перше нагадування надійде" in out and "11:45" in out
    assert "🕒" in out.split("Збережено")[-1]  # the client screen lists it as scheduled


def test_staff_see_the_searches_that_found_nothing(tmp_path):
    out = run_console(tmp_path, ["щжхзщшгне", "щжхзщшгне", "паспорт"], "--user", "someone")
    assert "не знайшов" in out
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_"))}
    env["BOT_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'console.sqlite3'}"
    proc = subprocess.run([sys.executable, "run_bot.py", "kb", "misses"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "     2  щжхзщшгне" in proc.stdout and "паспорт" not in proc.stdout and "someone" not in proc.stdout


def test_the_console_types_what_a_terminal_cannot_send():
    import io

    from bot.channels.console import ConsoleChannel
    from bot.core.events import Button, Reply

    console = ConsoleChannel(host=None, user_id="me", lang="uk", out=io.StringIO())
    assert console.to_event(":location 50.45, 30.52").location.latitude == 50.45
    assert console.to_event(":photo").media.kind == "photo"
    assert console.to_event(":document довідка.pdf").media.name == "довідка.pdf"
    assert console.to_event(":location north").kind == "text"  # not two numbers: plain text
    console.render([Reply("Де ви?", [[Button("📍 Надіслати", request_location=True)], [Button("Меню", "menu")]])])
    printed = console.out.getvalue()
    assert ":location LATITUDE LONGITUDE" in printed and "[1] Меню" in printed  # numbering skips the location
