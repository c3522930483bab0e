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
from knowledge.search.normalize import tokenize
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


def readings(query: str, pick_translit: Callable[[str, list[str]], str], is_word: Callable[[str], bool]) -> list[Reading]:
    """All readings worth scoring. `pick_translit(latin, variants)` chooses a spelling."""
    typed = tuple(tokenize(query))
    out = [Reading("typed", typed, 1.0)]
    if not any("a" <= ch <= "z" for ch in query.lower()):
        return out
    slip = looks_like_layout_slip(query, is_word)
    f = 1.0 if slip else 0.9
    layout = [Reading("layout-uk", tuple(tokenize(_retype(query, to_ukrainian))), f)]
    ru = tuple(tokenize(_retype(query, to_russian)))
    if ru != layout[0].tokens:
        layout.append(Reading("layout-ru", ru, f * 0.99))
    tr = tuple(
        pick_translit(t, transliterate_word_variants(t)) if t.isascii() and t.isalpha() else t for t in typed
    )
    translit = [Reading("translit", tr, 0.97)] if tr != typed else []
    # Most likely first: the engine skips unlikely readings once one convinces.
    return [*layout, *out, *translit] if slip else [*out, *translit, *layout]


__all__ = ["Reading", "readings"]
