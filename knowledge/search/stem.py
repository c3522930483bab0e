"""A crude derivational stem, so that a verb meets its noun.

Lemmatisation unifies forms of one word («субсидію» -> «субсидія») but not
related words: people type «зареєструвати» where the title says «реєстрація»,
«оформити» for «оформлення», «засвідчити» for «засвідчення». `stems(key)`
strips one derivational/inflectional suffix (and, as a second reading, one
perfective prefix) from a *folded* lemma. Matches through a stem count less
than matches of the word itself.

Prefixes that change the meaning («ви-писка» vs «про-писка», «від-» vs «при-»)
are never stripped; only «за-, з-, с-, по-», which mostly make a verb
perfective («зареєструвати», «сплатити»).
"""

from __future__ import annotations

from functools import lru_cache

from knowledge.search.normalize import fold

_SUFFIXES = sorted(
    {
        fold(s)
        for s in """
        уватися юватися ируватися уватись увати ювати ирувати ування ювання ірування
        итися атися ятися утися ітися итись атись ити ати яти іти ути нути оти
        ання яння ення іння ття иття уття ація яція иція ість ство цтво
        ований ений аний ивний ний ій ий ння
        а я о е і и у ю
        """.split()
    }
    - {""},
    key=len,
    reverse=True,
)
_PREFIXES = ("за", "по", "з", "с")
_VOWELS = set("аеиоуяюіїє")
MIN_STEM = 4


def _strip_suffix(word: str) -> str:
    for suf in _SUFFIXES:
        if word.endswith(suf) and len(word) - len(suf) >= MIN_STEM:
            word = word[: -len(suf)]
            break
    # Consonant alternations at the end of a stem: оформ-л-ення / оформ-ити, народ-ж-ення / народ-ити.
    if len(word) > MIN_STEM and word[-1] == "л" and word[-2] in "бвмпф":
        word = word[:-1]
    elif word.endswith("дж"):
        word = word[:-1]
    return word


def _english_stems(key: str) -> tuple[str, ...]:
    """English: the first six letters of a long word — «registration», «register»,
    «registered» -> «regist»; «certificate», «certified» -> «certif»."""
    if not key.isalpha() or len(key) < 6:
        return ()
    if key.endswith("ility"):  # «disability» ~ «disabled»
        key = key[:-5] + "le"
    return (key[:6],)


@lru_cache(maxsize=200_000)
def stems(key: str) -> tuple[str, ...]:
    """Stem of a folded lemma, plus the stem without a perfective prefix (if long enough).

    Short or non-Cyrillic keys give an empty tuple: their stems would collide.
    """
    if key.isascii():
        return _english_stems(key)
    if len(key) < MIN_STEM + 1 or not any("а" <= ch <= "я" for ch in key):
        return ()
    stem = _strip_suffix(key)
    out = [stem]
    for pre in _PREFIXES:
        if stem.startswith(pre):
            rest = stem[len(pre):]
            # «с-плата», «з-робити», but not «с-убсидія», «з-аява».
            if len(rest) >= MIN_STEM and (len(pre) > 1 or rest[0] not in _VOWELS):
                out.append(rest)
            break
    return tuple(out)


__all__ = ["stems", "MIN_STEM"]
