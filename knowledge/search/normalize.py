"""Text normalisation, one small function per step.

Two levels are used by the search engine:

* `normalize(text)` — what a human would call "the same text": lower case, one
  apostrophe, Russian-only letters mapped to Ukrainian ones, no punctuation,
  single spaces. Used for display-independent comparison and for the phrase
  fuzzy match.
* `fold(token)` — a lossy, cross-language key for one token, so that Russian,
  surzhyk and Ukrainian spellings of the same word meet: «субсидия» and
  «субсидія», «ребенок» and «ребьонок» fold to nearly the same string.

Keep the steps separate: each is unit-tested on its own, and the engine needs
`tokenize` *before* Russian letters are mapped (Russian morphology must see
«ы», «э», «ъ» as they were typed).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Every way people (and phone keyboards) type the Ukrainian apostrophe.
APOSTROPHES = "'’ʼ`‘´′ʹ\u02bb\u2018\u2019\u201b\uff07"
APOSTROPHE = "'"
_APOS_TABLE = str.maketrans({ch: APOSTROPHE for ch in APOSTROPHES})

# Russian-only letters -> the Ukrainian letter a Ukrainian reader would use.
RUSSIAN_TO_UKRAINIAN = {
    "ё": "е",  # Russian ё; «ребёнок» -> «ребенок»
    "ъ": APOSTROPHE,  # hard sign works like the Ukrainian apostrophe: «объём» -> «об'ем»
    "ы": "и",
    "э": "е",
}
_RU_TABLE = str.maketrans(RUSSIAN_TO_UKRAINIAN)

# A lossy key: letters that swap between Ukrainian, Russian and surzhyk spellings.
_FOLD_TABLE = str.maketrans(
    {
        "і": "и",
        "ї": "и",
        "ы": "и",
        "й": "и",
        "є": "е",
        "э": "е",
        "ё": "е",
        "ґ": "г",
        "ь": None,
        "ъ": None,
        APOSTROPHE: None,
    }
)

# Latin letters that look like Cyrillic ones (lower case).
_LOOKALIKES = str.maketrans("aceiopxykmthbï", "асеіорхукмтнвї")
_WORD_RE = re.compile(r"[0-9a-zа-яіїєґёыэъ']+(?:-[0-9a-zа-яіїєґёыэъ']+)*")
_PUNCT_RE = re.compile(r"[^\w'\s]|_", re.UNICODE)
_SPACES_RE = re.compile(r"\s+")


def to_lower(text: str) -> str:
    """Case-fold, and compose letters typed as base + combining mark («й» as и + ◌̆)."""
    return unicodedata.normalize("NFC", text).lower()


def unify_apostrophes(text: str) -> str:
    """’ ʼ ` ‘ ´ and friends -> a plain ASCII apostrophe."""
    return text.translate(_APOS_TABLE)


def map_russian_letters(text: str) -> str:
    """ё->е, ъ->', ы->и, э->е: Russian-only letters to their Ukrainian equivalents."""
    return text.translate(_RU_TABLE)


def strip_punctuation(text: str) -> str:
    """Punctuation becomes a space; apostrophes inside a word survive, stray ones go."""
    text = _PUNCT_RE.sub(" ", text)
    # An apostrophe is only meaningful between two letters («сім'я»).
    return re.sub(r"(?<!\w)'|'(?!\w)", " ", text)


def collapse_spaces(text: str) -> str:
    return _SPACES_RE.sub(" ", text).strip()


def normalize(text: str) -> str:
    """All steps: lower case, apostrophes, Russian letters, punctuation, spaces."""
    text = unify_apostrophes(to_lower(text))
    text = map_russian_letters(text)
    text = strip_punctuation(text)
    return collapse_spaces(text)


_LATIN_LETTER = re.compile("[a-z]")


def cyrillic_lookalikes(token: str) -> str:
    """A Cyrillic word with Latin look-alike letters typed in it («мiсто» with a Latin i) -> all Cyrillic.

    Keyboards without «і» and copy-paste make such words common; a word with no Cyrillic letter is left alone.
    """
    if token.isascii() or not _LATIN_LETTER.search(token):
        return token
    return token.translate(_LOOKALIKES)


def tokenize(text: str) -> list[str]:
    """Lower-cased words with apostrophes unified; Russian letters kept as typed.

    Hyphenated words are split («ID-картка» -> «id», «картка»), because people
    type them joined, split or spaced. Latin look-alikes inside a Cyrillic word become Cyrillic.
    """
    return list(_tokens(text))


@lru_cache(maxsize=4096)  # one message is tokenized by several steps (intents, readings, clauses)
def _tokens(text: str) -> tuple[str, ...]:
    return tuple(tokenize_once(text))


def tokenize_once(text: str) -> list[str]:
    """`tokenize` without the cache: for the knowledge base's texts, each read once when the index is built."""
    text = unify_apostrophes(to_lower(text))
    out: list[str] = []
    for m in _WORD_RE.finditer(text):
        for part in m.group().split("-"):
            part = part.strip(APOSTROPHE)
            if part:
                out.append(cyrillic_lookalikes(part))
    return out


def fold(token: str) -> str:
    """Cross-language matching key of one normalised token (lossy on purpose)."""
    return token.translate(_FOLD_TABLE)


def is_cyrillic(token: str) -> bool:
    return any("а" <= ch <= "я" or ch in "іїєґёыэъ" for ch in token)


def is_latin(token: str) -> bool:
    return any("a" <= ch <= "z" for ch in token)


__all__ = [
    "APOSTROPHE",
    "to_lower",
    "unify_apostrophes",
    "map_russian_letters",
    "strip_punctuation",
    "collapse_spaces",
    "normalize",
    "tokenize",
    "tokenize_once",
    "cyrillic_lookalikes",
    "fold",
    "is_cyrillic",
    "is_latin",
]
