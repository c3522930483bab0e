"""Latin -> Cyrillic for Ukrainian written in Latin letters.

Covers the official KMU 2010 romanisation (Cabinet resolution No. 55 of
27.01.2010: «subsydiia», «Zhytomyr», «Shchastia») and the informal habits of
chat users («propiska», «zagran pasport», «yak», «schastya», «spravka»).

Transliteration is ambiguous («ia» is «я» or «іа», «h» is «г» or «х»), so
`transliterate_word_variants` returns several spellings, best guess first; the
search engine keeps the one its vocabulary or the dictionary recognises.
"""

from __future__ import annotations

import itertools
import re
from functools import lru_cache

# Longest first. Each entry: latin -> alternatives (first is the default).
_WORD_START = {
    "yi": ("ї",),
    "ye": ("є",),
    "yu": ("ю",),
    "ya": ("я",),
    "yo": ("йо",),
    "ie": ("іє", "є"),  # «ievropa» rare; keep both
}
_RULES: dict[str, tuple[str, ...]] = {
    "shch": ("щ",),
    "sch": ("щ", "сх"),
    "zgh": ("зг",),  # KMU: «Zghorany» keeps з+г apart from ж
    "zh": ("ж",),
    "kh": ("х",),
    "ts": ("ц", "тс"),
    "tz": ("ц",),
    "ch": ("ч",),
    "sh": ("ш",),
    "ya": ("я",),
    "yu": ("ю",),
    "ye": ("є", "е"),
    "yo": ("йо", "ьо"),
    "yi": ("ї", "иі", "ий"),
    "ia": ("я", "іа"),
    "iu": ("ю", "іу"),
    "ie": ("є", "іе"),
    "io": ("іо", "ьо"),
    "ja": ("я",),
    "ju": ("ю",),
    "je": ("є",),
    "jo": ("йо",),
    "ck": ("к",),
    "ph": ("ф",),
    "x": ("кс",),
    "w": ("в",),
    "q": ("к",),
    "c": ("ц", "к"),
    "j": ("й", "ж"),
    "y": ("и", "й"),
    "i": ("і", "и"),
    "h": ("г", "х"),
    "g": ("г", "ґ"),
    "a": ("а",),
    "b": ("б",),
    "v": ("в",),
    "d": ("д",),
    "e": ("е", "є"),
    "z": ("з",),
    "k": ("к",),
    "l": ("л",),
    "m": ("м",),
    "n": ("н",),
    "o": ("о",),
    "p": ("п",),
    "r": ("р",),
    "s": ("с",),
    "t": ("т",),
    "u": ("у",),
    "f": ("ф",),
    "'": ("'",),
}
_MAX_KEY = max(len(k) for k in _RULES)
_LATIN_WORD = re.compile(r"[a-z']+")


def _segments(word: str) -> list[tuple[str, ...]]:
    """Split a Latin word into alternatives per segment (greedy longest match)."""
    out: list[tuple[str, ...]] = []
    i = 0
    while i < len(word):
        if i == 0:
            for size in (2,):
                piece = word[:size]
                if piece in _WORD_START:
                    out.append(_WORD_START[piece])
                    i = size
                    break
            if i:
                continue
        for size in range(min(_MAX_KEY, len(word) - i), 0, -1):
            piece = word[i : i + size]
            if piece in _RULES:
                alts = _RULES[piece]
                # «y» at the end or before a consonant after a vowel is «й» («moi», «kyivskyi»).
                if piece == "yi" and i + size < len(word):  # «Kyiv»: и + ї inside a word
                    alts = ("иї", "ї", "ий")
                elif piece == "yi":  # «zhytlovyi»: the -ий ending
                    alts = ("ий", "иї")
                if piece == "y" and i > 0 and word[i - 1] in "aeiou":
                    alts = ("й", "и")
                if piece == "i" and i > 0 and word[i - 1] in "aeiouy" and (i + 1 == len(word) or word[i + 1] not in "aeiou"):
                    alts = ("й", "і", "ї")
                out.append(alts)
                i += size
                break
        else:  # a character we do not transliterate (digit etc.)
            out.append((word[i],))
            i += 1
    return out


def transliterate_word(word: str) -> str:
    """The single most likely Cyrillic spelling of one Latin word."""
    return "".join(alts[0] for alts in _segments(word.lower()))


def transliterate_word_variants(word: str, limit: int = 12) -> list[str]:
    """Several Cyrillic spellings of one Latin word, most likely first."""
    return list(_variants(word, limit))


@lru_cache(maxsize=50_000)  # readings and intents ask for the same words of every message
def _variants(word: str, limit: int) -> tuple[str, ...]:
    segs = _segments(word.lower())
    ambiguous = [k for k, alts in enumerate(segs) if len(alts) > 1]
    out: list[str] = []
    seen: set[str] = set()
    # Vary at most 3 ambiguous places (the rest keep their default): enough for
    # real words and bounded in cost.
    for n_changes in range(0, 4):
        for places in itertools.combinations(ambiguous, n_changes):
            choice = [alts[0] for alts in segs]
            pools = [segs[k][1:] for k in places]
            for combo in itertools.product(*pools):
                for k, alt in zip(places, combo):
                    choice[k] = alt
                s = "".join(choice)
                if s not in seen:
                    seen.add(s)
                    out.append(s)
                    if len(out) >= limit:
                        return tuple(out)
    return tuple(out)


def transliterate(text: str) -> str:
    """Transliterate every Latin word of `text`; everything else stays."""
    return _LATIN_WORD.sub(lambda m: transliterate_word(m.group()), text.lower())


__all__ = ["transliterate", "transliterate_word", "transliterate_word_variants"]
