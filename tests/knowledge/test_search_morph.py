"""Lemmatisation, stems and stop words of the search."""

from __future__ import annotations

import pytest

from knowledge.search.analysis import query_word_keys, word_keys
from knowledge.search.morph import english_stem, is_known, lemma, lemmas
from knowledge.search.normalize import fold
from knowledge.search.stem import stems
from knowledge.search.stopwords import WEAK_WEIGHT, is_stop_word, word_weight


@pytest.mark.parametrize("form", ["субсидія", "субсидію", "субсидії", "субсидією", "субсидіями"])
def test_ukrainian_forms_share_a_lemma(form):
    assert lemma(form) == "субсидія"


@pytest.mark.parametrize(
    ("form", "expected"),
    [("довідку", "довідка"), ("дитини", "дитина"), ("лікаря", "лікар"), ("прописку", "прописка"), ("пенсію", "пенсія")],
)
def test_ukrainian_lemmas(form, expected):
    assert expected in lemmas(form)


def test_russian_words_use_the_russian_dictionary():
    assert lemma("субсидию") == "субсидия"
    assert lemma("ребёнка") == "ребенок"  # ё is folded to е in lemmas
    assert "родиться" in lemmas("родился")
    # Russian and Ukrainian forms of the same word meet after folding.
    assert fold(lemma("субсидию")) == fold(lemma("субсидії"))


def test_ambiguous_words_keep_several_lemmas():
    # «садок» parses both as «садка» and «садок»; both are kept so index and query meet.
    assert {"садок", "садка"} <= set(lemmas("садок"))


def test_unknown_words_are_kept_as_typed():
    assert lemmas("рнокпп") == ("рнокпп",)
    assert lemmas("") == ("",)


def test_english_stemmer_is_light_and_consistent():
    assert english_stem("subsidies") == "subsidy"
    assert english_stem("benefits") == "benefit"
    assert english_stem("registered") == english_stem("register")
    assert english_stem("children") == "child"
    assert english_stem("bus") == "bus"
    assert lemmas("Certificates".lower()) == ("certificate",)


def test_one_parse_per_word_serves_lemmas_role_and_part_of_speech():
    from knowledge.search.morph import analyse, names_a_thing, word_role

    analyse.cache_clear()
    assert lemmas("субсидію") == ("субсидія",)
    assert word_role("субсидію") == "" and names_a_thing("субсидію")
    info = analyse.cache_info()
    assert info.misses == 1 and info.hits == 2


def test_dictionary_lookup():
    assert is_known("субсидія") and is_known("справка")
    assert not is_known("ксерокопіяяя")


def test_word_keys_contain_folded_lemma_and_surface():
    keys = word_keys("субсидію")
    assert fold("субсидія") in keys and fold("субсидію") in keys


def test_russian_lexicon_adds_ukrainian_equivalents():
    own, extra = query_word_keys("справку")
    assert fold("довідка") in extra
    own, extra = query_word_keys("пособие")
    assert fold("допомога") in extra


def test_stems_link_verbs_and_nouns():
    assert set(stems(fold("зареєструвати"))) & set(stems(fold("реєстрація")))
    assert set(stems(fold("оформити"))) & set(stems(fold("оформлення")))
    assert set(stems(fold("засвідчити"))) & set(stems(fold("засвідчення")))
    # Meaning-changing prefixes are not stripped: «прописка» is not «виписка».
    assert not set(stems(fold("прописка"))) & set(stems(fold("виписка")))
    assert stems("registration") == stems("register")


@pytest.mark.parametrize("word", ["як", "де", "що", "мені", "хочу", "потрібно", "будь", "ласка", "как", "мне", "нужно", "how", "the"])
def test_stop_words(word):
    assert is_stop_word(word)
    assert word_weight(word) == 0.0


@pytest.mark.parametrize("word", ["без", "не", "зняти", "мати", "дитина", "субсидія", "пенсія", "виписка", "замінити"])
def test_meaningful_words_are_not_stop_words(word):
    assert not is_stop_word(word)
    assert word_weight(word) > 0


def test_generic_verbs_are_weak_not_dropped():
    assert word_weight("оформити", lemmas("оформити")) == WEAK_WEIGHT
    assert word_weight("отримати", lemmas("отримати")) == WEAK_WEIGHT
    assert word_weight("получить", lemmas("получить")) == WEAK_WEIGHT
    assert word_weight("прописка", lemmas("прописка")) == 1.0


def _parses(analyzer, word):
    return [(p.normal_form, str(p.tag), round(p.score, 6)) for p in analyzer.parse(word)]


@pytest.mark.parametrize("lang", ["uk", "ru"])
def test_suffix_tables_for_unknown_words_are_read_only_when_needed(lang):
    """The guessing tables stay on disk until an unknown word is parsed; the parses are pymorphy3's own."""
    import pymorphy3

    from knowledge.search.morph import LazySuffixTables, _analyzer

    plain, lazy = pymorphy3.MorphAnalyzer(lang=lang), _analyzer(lang)
    tables = lazy.dictionary.prediction_suffixes_dawgs
    assert isinstance(tables, LazySuffixTables) and tables.loaded == 0
    known = ["субсидію", "довідки", "прописка", "стали"] if lang == "uk" else ["справки", "стали", "ребёнка"]
    for word in known:
        assert lazy.word_is_known(word) and _parses(lazy, word) == _parses(plain, word)
    assert tables.loaded == 0
    unknown = ["тернопільщанська", "айдішка"] if lang == "uk" else ["загуглить", "ковидный", "айдишка"]
    for word in unknown:
        assert not plain.word_is_known(word)
        assert _parses(lazy, word) == _parses(plain, word) != []
    assert tables.loaded >= 1


def test_the_search_never_reads_the_guessing_tables(kb, monkeypatch):
    """Typos, slang, names and Russian: the search parses only known words, so the tables stay on disk."""
    from knowledge.search import SearchEngine, morph
    from knowledge.search.engine import clear_query_caches

    monkeypatch.setattr(morph._Analyzers, "uk", morph._analyzer("uk"))
    monkeypatch.setattr(morph._Analyzers, "ru", morph._analyzer("ru"))
    clear_query_caches()
    try:
        engine = SearchEngine(kb)
        for q in ["субсидя на комуналку", "Мене звати Оксана Гнатюк, загубила айдішку",
                  "справка о несудимости срочно", "ковидний сертифікат", "zaminyty prava", "ce,cblsz"]:
            engine.answer(q, lang="uk")
        assert morph._Analyzers.uk.dictionary.prediction_suffixes_dawgs.loaded == 0
        assert morph._Analyzers.ru.dictionary.prediction_suffixes_dawgs.loaded == 0
    finally:
        clear_query_caches()  # nothing cached from these analyzers outlives the test
