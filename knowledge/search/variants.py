"""Readings of one query: as typed, re-typed on the right layout, transliterated.

A Latin query may be English, Ukrainian in Latin letters («propyska») or a
keyboard-layout slip («ghjgbcrf»). We do not guess up front: the engine scores
every reading and keeps the best, with a small handicap for the less likely
ones so that a real English word is not out-voted by a coincidence.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from knowledge.search.layout import looks_like_layout_slip, to_russian, to_ukrainian
from knowledge.search.normalize import is_latin, tokenize
from knowledge.search.stopwords import ENGLISH_FUNCTION_WORDS
from knowledge.search.translit import transliterate_word_variants

# Characters a layout slip turns into letters: keep them inside a Latin chunk.
_SLIP_CHUNK = re.compile(r"[a-z\[\];',.`{}:\"<>]*[a-z][a-z\[\];',.`{}:\"<>]*")


@dataclass(frozen=True)
class Reading:
    how: str  # "typed" | "layout-uk" | "layout-ru" | "translit"
    tokens: tuple[str, ...]
    factor: float  # handicap applied to scores of this reading


def _retype(text: str, convert: Callable[[str], str]) -> str:
    return _SLIP_CHUNK.sub(lambda m: convert(m.group()), text.lower())


def readings(
    query: str,
    pick_translit: Callable[[str, list[str]], str],
    is_word: Callable[[str], bool],
    is_indexed_latin: Callable[[str], bool] = lambda _: False,
    is_indexed_spelling: Callable[[str], bool] = lambda _: False,
) -> list[Reading]:
    """All readings worth scoring, most likely first.

    `pick_translit(latin, variants)` chooses a Cyrillic spelling; `is_word`
    tells a dictionary word; `is_indexed_latin(token)` tells a Latin word the
    KB itself uses (English «subsidy», «CNAP»): such words stay as typed in the
    transliterated reading unless a transliteration is itself a KB spelling
    (`is_indexed_spelling`, a cheap check without morphology), and a query
    made of them gets no layout readings.
    """
    typed = tuple(tokenize(query))
    out = [Reading("typed", typed, 1.0)]
    if not any(is_latin(t) for t in typed):
        return out
    slip = looks_like_layout_slip(query, is_word)
    latin = [t for t in typed if t.isascii() and t.isalpha()]
    # Words of four letters or more tell English from a slip; «i», «my», «for» say nothing either way.
    long_latin = [t for t in latin if len(t) >= 4]
    known_latin = [t for t in long_latin if is_indexed_latin(t)]

    def cyrillic(t: str) -> str:
        if t not in latin:
            return t
        variants = transliterate_word_variants(t)
        if t in known_latin and not any(is_indexed_spelling(v) for v in variants):
            return t  # an English word of the KB («subsidy»), not Ukrainian in Latin letters
        return pick_translit(t, variants)

    tr = tuple(cyrillic(t) for t in typed)
    translit = [Reading("translit", tr, 0.97)] if tr != typed else []

    layout: list[Reading] = []
    english = len(ENGLISH_FUNCTION_WORDS.intersection(latin)) >= 2  # «how do we register as idps here»
    if slip or not latin or (not english and len(known_latin) * 2 < len(long_latin)):
        f = 1.0 if slip else 0.9
        layout.append(Reading("layout-uk", tuple(tokenize(_retype(query, to_ukrainian))), f))
        ru = tuple(tokenize(_retype(query, to_russian)))
        if ru != layout[0].tokens:
            layout.append(Reading("layout-ru", ru, f * 0.99))
    # The engine skips unlikely readings once a likelier one convinces.
    return [*layout, *out, *translit] if slip else [*out, *translit, *layout]
