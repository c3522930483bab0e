"""Each normalisation step of the search, on its own."""

from __future__ import annotations

import pytest

from knowledge.search.normalize import (
    collapse_spaces,
    fold,
    is_cyrillic,
    is_latin,
    map_russian_letters,
    normalize,
    strip_punctuation,
    to_lower,
    tokenize,
    unify_apostrophes,
)


def test_to_lower_folds_case_and_composes_combining_marks():
    assert to_lower("СУБСИДІЯ Прописка") == "субсидія прописка"
    # «й» typed as «и» + combining breve becomes one letter.
    assert to_lower("Мии\u0306") == "мий"
    assert len(to_lower("и\u0306")) == 1


@pytest.mark.parametrize("ch", ["'", "’", "ʼ", "`", "‘", "´"])
def test_unify_apostrophes_all_variants(ch):
    assert unify_apostrophes(f"сім{ch}я") == "сім'я"


def test_map_russian_letters():
    assert map_russian_letters("ёлка") == "елка"
    assert map_russian_letters("объём") == "об'ем"
    assert map_russian_letters("выписка") == "виписка"
    assert map_russian_letters("электронный") == "електронний"
    # Ukrainian letters are untouched.
    assert map_russian_letters("їжак ґанок єдність") == "їжак ґанок єдність"


def test_strip_punctuation_keeps_word_apostrophes():
    assert strip_punctuation("довідка, будь ласка!!!") == "довідка  будь ласка   "
    assert strip_punctuation("сім'я") == "сім'я"
    assert strip_punctuation("'прописка'") == " прописка "
    assert strip_punctuation("«єМалятко» (Дія)") == " єМалятко   Дія "


def test_collapse_spaces():
    assert collapse_spaces("  довідка \t\n про   доходи ") == "довідка про доходи"


def test_normalize_all_steps():
    assert normalize("  Довідка про СКЛАД сім’ї?! ") == "довідка про склад сім'ї"
    assert normalize("Выписка, пожалуйста") == "виписка пожалуйста"
    assert normalize("ЁЖИК ъ") == "ежик"


def test_tokenize_splits_hyphens_and_keeps_russian_letters():
    assert tokenize("ID-картка для дитини") == ["id", "картка", "для", "дитини"]
    assert tokenize("Получить выписку!") == ["получить", "выписку"]
    assert tokenize("сім’я, 3 дітей") == ["сім'я", "3", "дітей"]
    assert tokenize("   ") == []


def test_fold_joins_ukrainian_russian_and_surzhyk_spellings():
    assert fold("субсидія") == fold("субсидия")
    assert fold("сім'я") == "симя"
    assert fold("ґанок") == fold("ганок")
    assert fold("єдиний") == fold("эдиный") == fold("единий")
    assert fold("їжак") == fold("ижак")
    assert fold("ребёнок") == "ребенок"


def test_script_detection():
    assert is_cyrillic("прописка") and not is_latin("прописка")
    assert is_latin("propyska") and not is_cyrillic("propyska")
    assert is_cyrillic("ёжик")
