"""Latin transliteration and wrong-keyboard-layout recovery."""

from __future__ import annotations

import pytest

from knowledge.search.layout import looks_like_layout_slip, to_russian, to_ukrainian
from knowledge.search.morph import is_known
from knowledge.search.translit import transliterate, transliterate_word, transliterate_word_variants

# ---- layout -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("ce,cblsz", "субсидія"),
        ("ghjgbcrf", "прописка"),
        ("ljdslrf dgj", "довідка впо"),
        ("pfrjhljyybq gfcgjhn", "закордонний паспорт"),
        ("ksxbkmybr", "лічильник"),
        ("otgktyyz", "щеплення"),
        ("cskmhflf", "сільрада"),
        ("gtycsz", "пенсія"),
        ("Ce,CBLSZ", "субсидія"),  # caps lock on top of the wrong layout
        ("lj[]", "дохї"),  # the bracket keys are Х and Ї
        ("cs`", "сі'"),  # the backquote key is the apostrophe on the Ukrainian layout
    ],
)
def test_to_ukrainian(typed, meant):
    assert to_ukrainian(typed) == meant


def test_to_russian_uses_russian_only_keys():
    assert to_russian("ce,cblbz") == "субсидия"
    assert to_russian("dsgbcrf") == "выписка"
    assert to_russian("j,]tv") == "объем"
    assert to_russian("'ktrnhjyysq") == "электронный"


@pytest.mark.parametrize("slip", ["ce,cblsz", "ghjgbcrf", "ljdslrf dgj", "ksxbkmybr", "cghfdrf"])
def test_layout_slips_are_detected(slip):
    assert looks_like_layout_slip(slip, is_known)


@pytest.mark.parametrize("latin", ["subsidy", "propyska", "dovidka vpo", "id card", "birth certificate", "zagran pasport"])
def test_english_and_translit_are_not_layout_slips(latin):
    assert not looks_like_layout_slip(latin, is_known)


def test_layout_slip_detection_without_dictionary_uses_letter_patterns():
    assert looks_like_layout_slip("ce,cblsz")  # a comma inside a word
    assert not looks_like_layout_slip("subsidy")


# ---- transliteration -----------------------------------------------------------


@pytest.mark.parametrize(
    ("latin", "cyrillic"),
    [
        ("subsydiia", "субсидія"),  # KMU 2010: ія -> iia
        ("propyska", "прописка"),
        ("dovidka", "довідка"),
        ("zhytlo", "житло"),
        ("khata", "хата"),
        ("shchastia", "щастя"),
        ("yak", "як"),
        ("yizhak", "їжак"),
        ("yevropa", "європа"),
        ("yuliia", "юлія"),
        ("kyiv", "київ"),
        ("zhytlovyi", "житловий"),
        ("pasport", "паспорт"),
        ("zagran", "загран"),
        ("schastya", "щастя"),  # informal «sch», «ya»
        ("tsnap", "цнап"),
    ],
)
def test_transliterate_word(latin, cyrillic):
    assert transliterate_word(latin) == cyrillic


@pytest.mark.parametrize(
    ("latin", "wanted"),
    [
        ("sotsialna", "соціална"),  # «ia» may be «і»+«а», not only «я»
        ("propiska", "прописка"),  # informal «i» for «и»
        ("subsidiya", "субсидія"),
        ("dopomoha", "допомога"),
        ("hata", "хата"),  # informal «h» for «х»
        ("spravka", "справка"),
    ],
)
def test_transliteration_variants_cover_informal_spellings(latin, wanted):
    assert wanted in transliterate_word_variants(latin)


def test_transliteration_variants_are_bounded_and_first_is_default():
    variants = transliterate_word_variants("reiestratsiia", limit=12)
    assert variants[0] == transliterate_word("reiestratsiia") == "реєстрація"
    assert len(variants) <= 12
    assert len(set(variants)) == len(variants)


def test_transliterate_text_keeps_cyrillic_and_digits():
    assert transliterate("zagran pasport") == "загран паспорт"
    assert transliterate("dovidka VPO 2024") == "довідка впо 2024"
    assert transliterate("довідка vpo") == "довідка впо"


def test_english_prose_gets_no_keyboard_layout_reading(engine):
    """Two English function words make a message English: re-typing it on the Cyrillic layout is noise
    (and costs the time of matching a dozen nonsense words). A slip and plain translit keep their readings."""
    hows = lambda q: {r.how for r in engine._readings(q)}  # noqa: E731
    assert hows("We were displaced from Kharkiv oblast. How do we register as IDPs here?") == {"typed", "translit"}
    assert "layout-uk" in hows("ghjgbcrf")  # «прописка» on the wrong layout
    assert "layout-uk" in hows("ce,cblsz yf pbve")
