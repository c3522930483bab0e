"""Turning text into matching keys — the same way for the index and the query.

A *key* is a folded lemma (or a folded surface form) of one word. Every word
yields a small set of keys, so that «садок» meets «садка», «субсидию» meets
«субсидія» and «ребенок» meets «ребёнок».
"""

from __future__ import annotations

from functools import lru_cache

from knowledge.search.lexicon import ukrainian_equivalents
from knowledge.search.morph import lemmas, word_role
from knowledge.search.normalize import fold, tokenize_once
from knowledge.search.stopwords import is_stop_word, word_weight


@lru_cache(maxsize=200_000)
def word_keys(token: str) -> tuple[str, ...]:
    """Folded lemmas of `token` followed by its folded surface form (deduplicated)."""
    keys = [fold(lemma) for lemma in lemmas(token)]
    keys.append(fold(token))
    return tuple(k for k in dict.fromkeys(keys) if k)


@lru_cache(maxsize=200_000)
def query_word_keys(token: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(own keys, Ukrainian equivalents of Russian/surzhyk keys) for a query word."""
    own = word_keys(token)
    extra: list[str] = []
    for k in own:
        for eq in ukrainian_equivalents(k):
            if eq not in own and eq not in extra:
                extra.append(eq)
    return own, tuple(extra)


@lru_cache(maxsize=500_000)
def _index_word(token: str) -> tuple[str, ...] | None:
    return None if is_stop_word(token) else word_keys(token)


@lru_cache(maxsize=20_000)
def text_groups(text: str) -> tuple[tuple[str, ...], ...]:
    """Key groups (one per meaningful word) of a KB text; stop words dropped."""
    out = []
    for t in tokenize_once(text):
        keys = _index_word(t)
        if keys is not None:
            out.append(keys)
    return tuple(out)


def token_weight(token: str, in_vocabulary: bool = False) -> float:
    """Weight of a query word: 0 for stop, filler and function words and for a person's
    name the KB does not use; WEAK_WEIGHT for a generic verb; 1 otherwise."""
    weight = word_weight(token, lemmas(token))
    if weight:
        role = word_role(token)
        if role == "function" or (role == "name" and not in_vocabulary):
            return 0.0
    return weight


__all__ = ["word_keys", "query_word_keys", "text_groups", "token_weight"]
