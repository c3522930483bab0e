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
    msg = ("{n} document list is not finished yet.", "{n} document lists are not finished yet.")
    assert t.ngettext(*msg, 1).format(n=1) == "1 список документів ще не завершено."
    assert t.ngettext(*msg, 3).format(n=3) == "3 списки документів ще не завершено."
    assert t.ngettext(*msg, 5).format(n=5) == "5 списків документів ще не завершено."
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


def test_ukrainian_texts_avoid_the_walk_through_errors():
    """Issue 12's classes of error, over the whole Ukrainian catalog."""
    bad = {
        r"\(-": "forms like «погодився(-лася)»: use neutral wording",
        r"\.\.(?!\.)|\.»\.|[!?]\.": "double punctuation",
        r"(?:від|для): \{(?:worker|client)": "«для: Ганна К.»: name the person in a phrase",
        r"як (?:працівник|соціальний працівник|адміністратор)\b": "«як» takes the accusative: «як працівника»",
        r"чек-лист": "one term: «список документів»",
        r"Europe/|\bдн\.": "plain words: «за київським часом», «днів»",
    }
    problems = []
    for m in catalog("uk"):
        if not m.id:
            continue
        for s in [m.string] if isinstance(m.string, str) else list(m.string):
            problems += [f"{why}: {s!r}" for pattern, why in bad.items() if re.search(pattern, s)]
    assert not problems, "\n".join(problems)


def test_english_says_no_for_numero_and_dates_one_way():
    ids = " ".join(m.id if isinstance(m.id, str) else " ".join(m.id) for m in catalog("en") if m.id)
    assert "№" not in ids
    t = Translator("en")
    import datetime as dt

    assert t.day(dt.date(2026, 12, 7), dt.date(2026, 12, 1)) == "December 7"
    assert t.when(dt.datetime(2026, 12, 7, 7, 30, tzinfo=dt.UTC), "Europe/Kyiv",
                  dt.datetime(2026, 12, 6, 12, 0, tzinfo=dt.UTC)) == "tomorrow, December 7 at 9:30"
    uk = Translator("uk")
    assert uk.when(dt.datetime(2026, 12, 7, 7, 30, tzinfo=dt.UTC), "Europe/Kyiv",
                   dt.datetime(2026, 12, 6, 12, 0, tzinfo=dt.UTC)) == "завтра, 7 грудня, о 9:30"
    assert uk.of_community("Зразкова міська територіальна громада") == "Зразкової міської територіальної громади"


def test_english_addresses_carry_no_stress_marks(real_kb):
    import unicodedata

    for office in real_kb.offices.values():
        address = unicodedata.normalize("NFD", office.address.en)
        assert not any(unicodedata.combining(ch) for ch in address), office.address.en
