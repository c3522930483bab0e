"""Text typed on the wrong keyboard layout: QWERTY keys meant as ЙЦУКЕН.

An elderly user who forgot to switch the layout sends «ce,cblsz» for «субсидія».
`to_ukrainian` / `to_russian` undo that key by key; `looks_like_layout_slip`
tells a layout slip from real English or transliteration.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# Unshifted and shifted keys of a US QWERTY keyboard -> the same key on the
# standard Ukrainian (Windows "Ukrainian (Enhanced)") layout.
_QWERTY = "qwertyuiop[]asdfghjkl;'zxcvbnm,./`\\" + '{}:"<>'
_UK = "йцукенгшщзхїфівапролджєячсмитьбю.'ґ" + "хїжєбю"
_RU = "йцукенгшщзхъфывапролджэячсмитьбю.ё\\" + "хъжэбю"

assert len(_QWERTY) == len(_UK) == len(_RU)

_TO_UK = str.maketrans(dict(zip(_QWERTY, _UK)))
_TO_RU = str.maketrans(dict(zip(_QWERTY, _RU)))

# Keys that are letters on ЙЦУКЕН but punctuation on QWERTY: inside a "word"
# they are a strong sign of a layout slip («ce,cblsz», «ljdslrf»).
_PUNCT_LETTER_KEYS = set("[];',.`{}:\"<>")
_LATIN_CHUNK = re.compile(r"[a-z\[\];',.`{}:\"<>]+")
_VOWELS = set("aeiouy")


def to_ukrainian(text: str) -> str:
    """Re-type QWERTY text on the Ukrainian layout (case is folded)."""
    return text.lower().translate(_TO_UK)


def to_russian(text: str) -> str:
    """Re-type QWERTY text on the Russian layout (case is folded)."""
    return text.lower().translate(_TO_RU)


def latin_chunks(text: str) -> list[str]:
    """Runs of characters that a layout slip could have produced."""
    return _LATIN_CHUNK.findall(text.lower())


def has_latin(text: str) -> bool:
    return any("a" <= ch <= "z" for ch in text.lower())


def _implausible_as_latin(chunk: str) -> bool:
    """Letter patterns that English and transliteration almost never produce."""
    core = chunk.strip(".,;:'\"")
    if any(ch in _PUNCT_LETTER_KEYS for ch in core):
        return True
    letters = [ch for ch in core if ch.isalpha()]
    if len(letters) >= 4 and not any(ch in _VOWELS for ch in letters):
        return True
    run = best = 0
    for ch in letters:
        run = run + 1 if ch not in _VOWELS else 0
        best = max(best, run)
    return best >= 5


def looks_like_layout_slip(text: str, is_word: Callable[[str], bool] | None = None) -> bool:
    """True if a Latin query is really Cyrillic typed on the wrong layout.

    `is_word(cyrillic_token) -> bool` (e.g. a morphological dictionary lookup)
    makes the decision much sharper: a slip re-typed gives real words.
    """
    chunks = [c for c in latin_chunks(text) if any(ch.isalpha() for ch in c)]
    if not chunks:
        return False
    weird = sum(_implausible_as_latin(c) for c in chunks)
    if is_word is None:
        return weird * 2 >= len(chunks)
    known = 0
    for c in chunks:
        words = [w for w in re.split(r"[^а-яіїєґёыэъ']+", to_ukrainian(c)) if len(w) > 1]
        words_ru = [w for w in re.split(r"[^а-яёыэъ']+", to_russian(c)) if len(w) > 1]
        if (words and all(is_word(w) for w in words)) or (words_ru and all(is_word(w) for w in words_ru)):
            known += 1
    return (known + weird) * 2 > len(chunks) and known > 0 or weird == len(chunks)


__all__ = ["to_ukrainian", "to_russian", "latin_chunks", "has_latin", "looks_like_layout_slip"]
