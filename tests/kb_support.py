"""Helpers for the knowledge-base tests: a copy of the test KB that passes every rule, and edits to it."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path

import yaml

from bot.i18n import Translator
from knowledge.check import collect

ROOT = Path(__file__).resolve().parent.parent
TEST_KB = ROOT / "tests" / "data" / "kb"
TODAY = dt.date(2026, 11, 30)  # never the real date: validity tests must not age


def good_kb(tmp_path: Path) -> Path:
    """The test KB with its one deliberate flaw fixed (the flows tests need a home-page link),
    and a required list naming exactly its services: it passes every kb check rule."""
    data = tmp_path / "kb"
    shutil.copytree(TEST_KB, data)
    edit(data, "services/housing-subsidy.yaml",
         lambda c: c["online"][0].update(url="https://diia.gov.ua/services/zhitlova-subsidiya"))
    (data / "required.csv").write_text(
        "id,category\nbirth-registration,civil-status\nhousing-subsidy,social-assistance\nid-card,administrative\n",
        encoding="utf-8",
    )
    return data


def edit(data: Path, name: str, change: Callable[[dict], object]) -> None:
    path = data / name
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(raw)
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")


def problems(data: Path, *, today: dt.date = TODAY, lenient: bool = False, warnings: bool = False) -> list:
    found, _ = collect(data, data / "required.csv", today=today, tr=Translator("uk"), lenient=lenient)
    return [p for p in found if warnings or not p.warning]
