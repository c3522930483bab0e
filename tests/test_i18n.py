"""The catalogs must match the source: Ukrainian complete, nothing stale, placeholders intact."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.i18n import LOCALES_DIR, Translator, normalize_lang

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}


def source_messages() -> set:
    found = set()
    for sub in ("bot", "knowledge"):
        for _file, _line, message, _comments, _ctx in extract_from_dir(
            ROOT / sub, method_map=[("**.py", "python"), ("**/templates/**.html", "jinja2")], keywords=KEYWORDS
        ):
            found.add(message if isinstance(message, str) else tuple(message))
    return found


def catalog(lang: str):
    with (LOCALES_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh, locale=lang)


def catalog_ids(lang: str) -> set:
    return {m.id if isinstance(m.id, str) else tuple(m.id) for m in catalog(lang) if m.id}


def fields(s: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(s) if name is not None}


@pytest.mark.parametrize("lang", ["uk", "en"])
def test_catalog_is_up_to_date_with_the_source(lang):
    src, cat = source_messages(), catalog_ids(lang)
    assert src, "no translatable strings found: extraction is broken"
    missing, stale = src - cat, cat - src
    assert not missing, f"{lang}: not in the catalog (run python locales/update.py): {sorted(map(str, missing))}"
    assert not stale, f"{lang}: in the catalog but no longer in the source: {sorted(map(str, stale))}"


def test_ukrainian_is_complete_with_all_plural_forms_and_placeholders():
    problems = []
    for m in catalog("uk"):
        if not m.id:
            continue
        ids = [m.id] if isinstance(m.id, str) else list(m.id)
        strs = [m.string] if isinstance(m.string, str) else list(m.string)
        if m.fuzzy or not all(s and s.strip() for s in strs):
            problems.append(f"untranslated: {ids[0]!r}")
            continue
        if isinstance(m.id, tuple | list) and len(strs) != 3:
            problems.append(f"needs 3 plural forms: {ids[0]!r}")
        for s in strs:
            if fields(s) != fields(ids[0]):
                problems.append(f"placeholders differ: {ids[0]!r} → {s!r}")
    assert not problems, "\n".join(problems)


def test_ukrainian_plurals_and_dates():
    t = Translator("uk")
    msg = ("{n} checklist is not finished yet.", "{n} checklists are not finished yet.")
    assert t.ngettext(*msg, 1).format(n=1) == "1 чек-лист ще не завершено."
    assert t.ngettext(*msg, 3).format(n=3) == "3 чек-листи ще не завершено."
    assert t.ngettext(*msg, 5).format(n=5) == "5 чек-листів ще не завершено."
    import datetime as dt

    assert t.date(dt.date(2026, 11, 23)).replace("\u202f", " ") == "23 листопада 2026 р."
    assert Translator("en").date(dt.date(2026, 11, 23)) == "November 23, 2026"
    assert re.match(r"^1\s?234,5$", t.number(1234.5).replace("\u202f", " ").replace("\xa0", " "))


def test_language_hints():
    assert normalize_lang("uk-UA") == "uk"
    assert normalize_lang("en-GB") == "en"
    assert normalize_lang("ru") == "uk"
    assert normalize_lang(None) == "uk"
    assert normalize_lang("de") == "en"
