"""Which words of a long message are circumstances rather than the need.

«Як подати на субсидію, якщо я пенсіонер»: the need is the subsidy; «якщо я
пенсіонер» only describes the person. Words in a clause opened by a
condition, reason or concession marker (if, because, although...) count
half. A clause ends at punctuation.
"""

from __future__ import annotations

import re

from knowledge.search.normalize import fold, tokenize

_MARKERS = frozenset(fold(w) for w in """
якщо якшо якщоб если if бо because оскільки поскольку since хоча хотя although though
""".split())
_CLAUSE_END = re.compile(r"[.!?;,:()\n]+")
CIRCUMSTANCE_FACTOR = 0.5


def circumstance_words(text: str) -> frozenset[str]:
    """Lower-cased tokens that stand in a condition/reason clause of `text` (and nowhere else)."""
    inside: set[str] = set()
    outside: set[str] = set()
    for chunk in _CLAUSE_END.split(text):
        in_clause = False
        for tok in tokenize(chunk):
            if fold(tok) in _MARKERS:
                in_clause = True
                continue
            (inside if in_clause else outside).add(tok)
    return frozenset(inside - outside)


__all__ = ["circumstance_words", "CIRCUMSTANCE_FACTOR"]
