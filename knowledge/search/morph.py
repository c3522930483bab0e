"""Lemmatisation: Ukrainian first, Russian for Russian words, a light stemmer for English.

`lemmas(token)` returns every plausible dictionary form of one token, because a
single guess is often wrong («садок» parses as «садка» and «садок»): the
index and the query both use the same set, so they meet whatever the guess.
Results are cached (LRU) — a chat sees the same words again and again.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import lru_cache
from typing import NamedTuple

import pymorphy3
from pymorphy3.dawg import PredictionSuffixesDAWG

from knowledge.search.normalize import is_latin

_RUSSIAN_ONLY = set("ыэъё")
_MAX_LEMMAS = 3


class LazySuffixTables(Sequence):
    """The suffix tables pymorphy3 guesses unknown words from (prediction-suffixes-N.dawg, ~4 MiB per
    language), read from disk on first use instead of with the dictionary.

    The search parses only words a dictionary knows (see `lemmas`, `word_role`), so in a bot they usually
    stay on disk; whatever parses an unknown word (bot/i18n.genitive_uk may) gets exactly what pymorphy3
    would have given, a moment later.
    """

    def __init__(self, folder: str, count: int) -> None:
        self._paths = [os.path.join(folder, f"prediction-suffixes-{i}.dawg") for i in range(count)]
        self._tables: dict[int, PredictionSuffixesDAWG] = {}

    @property
    def loaded(self) -> int:
        return len(self._tables)

    def __len__(self) -> int:
        return len(self._paths)

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        i = range(len(self))[i]
        if i not in self._tables:
            self._tables[i] = PredictionSuffixesDAWG().load(self._paths[i])
        return self._tables[i]


def _analyzer(lang: str) -> pymorphy3.MorphAnalyzer:
    analyzer = pymorphy3.MorphAnalyzer(lang=lang)
    d = analyzer.dictionary
    lazy = LazySuffixTables(d.path, len(d.prediction_suffixes_dawgs))
    d.prediction_suffixes_dawgs = lazy  # type: ignore[assignment]
    d._data = d._data._replace(prediction_suffixes_dawgs=lazy)  # the loaded tables are freed here
    return analyzer


class _Analyzers:
    uk: pymorphy3.MorphAnalyzer | None = None
    ru: pymorphy3.MorphAnalyzer | None = None


def uk_analyzer() -> pymorphy3.MorphAnalyzer:
    if _Analyzers.uk is None:
        _Analyzers.uk = _analyzer("uk")
    return _Analyzers.uk


def ru_analyzer() -> pymorphy3.MorphAnalyzer:
    if _Analyzers.ru is None:
        _Analyzers.ru = _analyzer("ru")
    return _Analyzers.ru


@lru_cache(maxsize=200_000)
def is_known_uk(word: str) -> bool:
    return uk_analyzer().word_is_known(word)


@lru_cache(maxsize=200_000)
def is_known_ru(word: str) -> bool:
    return ru_analyzer().word_is_known(word)


def is_known(word: str) -> bool:
    """A word of the Ukrainian or the Russian dictionary."""
    return is_known_uk(word) or is_known_ru(word)


_EN_IRREGULAR = {"children": "child", "women": "woman", "men": "man", "people": "person", "died": "die", "born": "birth"}


def english_stem(word: str) -> str:
    """A deliberately light English stemmer (plural, -ing, -ed), same for index and query."""
    w = word.lower()
    if w in _EN_IRREGULAR:
        return _EN_IRREGULAR[w]
    if len(w) <= 3:
        return w
    if w.endswith("'s"):
        w = w[:-2]
    if w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith(("sses", "shes", "ches", "xes")):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    if w.endswith("ing") and len(w) > 5:
        w = w[:-3]
    elif w.endswith("ed") and len(w) > 4:
        w = w[:-2]
    if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "lsz":  # «registr-ation» / «shipp-ing»
        w = w[:-1]
    return w


class WordAnalysis(NamedTuple):
    lemmas: tuple[str, ...]
    role: str
    names_a_thing: bool


# Parts of speech that never name a need: conjunctions, particles, prepositions,
# pronouns, interjections. Negations stay meaningful («без судимості»).
_FUNCTION_POS = {"CONJ", "PRCL", "PREP", "NPRO", "INTJ"}
_NAME_TAGS = {"Name", "Surn", "Patr"}
_KEEP = {"не", "ні", "без", "нет", "немає", "нема", "ни"}


def _analyzer_for(token: str) -> pymorphy3.MorphAnalyzer | None:
    """The Russian dictionary for words with Russian-only letters (ы э ъ ё); otherwise the Ukrainian one,
    and for a word unknown there the Russian one (Russian written without its special letters, surzhyk).
    Not the Russian reading of a Ukrainian word too: Ukrainian «води» (of water) is not Russian «водить»."""
    if _RUSSIAN_ONLY & set(token):
        return ru_analyzer() if is_known_ru(token) else None
    if is_known_uk(token):
        return uk_analyzer()
    return ru_analyzer() if is_known_ru(token) else None


@lru_cache(maxsize=200_000)
def analyse(token: str) -> WordAnalysis:
    """What the search needs to know of one lower-cased token, from one dictionary parse (cached: a chat
    sees the same words again and again). See `lemmas`, `word_role` and `names_a_thing`."""
    if not token:
        return WordAnalysis((token,), "", True)
    if is_latin(token):
        return WordAnalysis((english_stem(token),) if token.isalpha() else (token,), "", True)
    analyzer = _analyzer_for(token)
    if analyzer is None:  # unknown to both dictionaries: fuzzy matching takes over
        return WordAnalysis((token,), "", True)
    parses = analyzer.parse(token)
    forms: list[str] = []
    for p in parses:
        nf = p.normal_form.replace("ё", "е")
        if nf not in forms:
            forms.append(nf)
        if len(forms) >= _MAX_LEMMAS:
            break
    return WordAnalysis(
        (token,) if token.isdigit() else tuple(forms),
        "" if token in _KEEP or token.isdigit() else _role(parses),
        any(p.tag.POS == "NOUN" for p in parses),
    )


def _role(parses) -> str:
    # Function words by the most likely parse (pronominal adjectives such as «який», «какой» count as
    # pronouns); a name only when the word has no other reading: «борщ» is also a surname.
    tag = parses[0].tag
    if tag.POS in _FUNCTION_POS or "Apro" in tag.grammemes:
        return "function"
    if all(_NAME_TAGS & p.tag.grammemes for p in parses):
        return "name"
    return ""


def lemmas(token: str) -> tuple[str, ...]:
    """Dictionary forms of one lower-cased token (never empty; unknown words map to themselves).

    * Latin words: a light English stem.
    * Cyrillic words: the dictionary `_analyzer_for` picks; unknown to both: the word itself.
    """
    return analyse(token).lemmas


def word_role(token: str) -> str:
    """"function" (pronoun, conjunction, particle, preposition), "name" (a person's
    first name, surname or patronymic), or "" for any other word. Unknown and Latin words have no role."""
    return analyse(token).role


def names_a_thing(token: str) -> bool:
    """A noun, or a word the dictionaries do not know (slang, an abbreviation, a typo, Latin): what a need is
    about. Verbs, adjectives and adverbs alone («як отримати новий?») point back at the story."""
    return analyse(token).names_a_thing


def lemma(token: str) -> str:
    """The single most likely dictionary form (first of `lemmas`)."""
    return lemmas(token)[0]



__all__ = ["analyse", "WordAnalysis", "lemmas", "lemma", "word_role", "names_a_thing", "english_stem", "is_known", "is_known_uk", "is_known_ru", "uk_analyzer", "ru_analyzer"]
