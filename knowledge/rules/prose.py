"""Rules 5–9 and 12: plain, consistent, faithfully translated text an elderly reader can follow."""

from __future__ import annotations

import re
from collections.abc import Iterator

from pydantic import BaseModel

from knowledge.card import reading_order
from knowledge.loader import KnowledgeBase
from knowledge.models import Abbreviation, Service
from knowledge.rules import Context, Problem
from knowledge.texts import iter_texts

WORD_RE = re.compile(r"[\w'’ʼ-]+")
MAX_SENTENCE_WORDS = 25
MAX_SUMMARY = 220
MAX_DOCUMENT_TEXT = 80
# Sentence ends: . ! ? … followed by a space and a capital letter or a digit (not "ст. 21", "т. ч.").
SENTENCE_END_RE = re.compile(r"(?<=[.!?…])\s+(?=[«\"(]?[A-ZА-ЯІЇЄҐ0-9])")
# (rule, pattern, advice): one term for one thing (6); "Звичайно" reads as "of course" (12).
WORDING = [
    (6, re.compile(r"безкоштовн", re.IGNORECASE), "write «безоплатно» (one term), not «безкоштовно»"),
    (6, re.compile(r"чек-?лист", re.IGNORECASE), "write «список документів», not «чек-лист»"),
    (12, re.compile(r"(?<![\w])звичайно(?![\w])", re.IGNORECASE), "write «Зазвичай» for “usually”, not «Звичайно»"),
]
HEDGE = {
    "uk": re.compile(r"(?<![\w])(мож(е|уть|ливо)|уточн\w*|залеж\w*)(?![\w])", re.IGNORECASE),
    "en": re.compile(r"\b(may|might|depends?|depending|check with|ask)\b", re.IGNORECASE),
}
NUMBER_RE = re.compile(r"\d+(?:[ \u00a0\u202f.,]\d+)*")
CYRILLIC_RE = re.compile(r"[а-яіїєґ]", re.IGNORECASE)


def _words(text: str) -> list[str]:
    return WORD_RE.findall(text)


def _stem(word: str) -> str:
    """Enough of a Ukrainian word to recognise it in another case: "особа"/"особи"/"осіб" → "ос…"."""
    w = word.lower()
    return w[: min(5, max(2, len(w) - 2))]


def _same_words(got: list[str], want: list[str]) -> bool:
    return len(got) == len(want) and all(
        g.startswith(w) or w.startswith(g) for g, w in zip(map(_stem, got), map(_stem, want), strict=True)
    )


def _spells_out(full: str, words: list[str]) -> bool:
    """The words (those right before a bracket, or the start of a bracket) give the full form;
    one more word may follow it ("Міністерство внутрішніх справ України (МВС)")."""
    want = _words(full)
    return any(_same_words(words[i:i + len(want)], want) for i in (0, 1))


def _bracket_start(text: str, pos: int) -> int | None:
    """Where the innermost bracket group around `pos` opens (None outside brackets)."""
    depth = 0
    for i in range(pos - 1, -1, -1):
        if text[i] == ")":
            depth += 1
        elif text[i] == "(":
            if depth == 0:
                return i
            depth -= 1
    return None


def spelled_out_at(text: str, start: int, abbr: str, full: Abbreviation) -> bool:
    """Is the abbreviation at `start` given with its full form?

    Accepted: "Повна назва (ABBR)", "повна назва (довідка ABBR, …)" (the full form right before the
    brackets that hold the abbreviation) and "ABBR (повна назва…)". Case endings may differ.
    """
    n = len(_words(full.uk))
    opening = _bracket_start(text, start)
    if opening is not None and _spells_out(full.uk, _words(text[:opening])[-n - 1:]):
        return True
    m = re.match(r"\s*\(([^()]*)\)", text[start + len(abbr):])
    return m is not None and _spells_out(full.uk, _words(m.group(1))[:n])


def abbreviations(kb: KnowledgeBase, ctx: Context) -> Iterator[Problem]:
    for sid, card in kb.authored.items():
        for abbr, full in kb.abbreviations.items():
            yield from _first_use(card, abbr, full, kb.files[sid])


def _first_use(card: Service, abbr: str, full: Abbreviation, where: str) -> Iterator[Problem]:
    pattern = re.compile(rf"(?<![\w-]){re.escape(abbr)}(?![\w])")
    for path, text in reading_order(card):
        m = pattern.search(text.uk)
        if m is None:
            continue
        if not spelled_out_at(text.uk, m.start(), abbr, full):
            yield Problem(5, where, f"first use of {abbr}: write «{full.uk} ({abbr})» (or «{abbr} ({full.uk})»)",
                          field=f"{path}.uk")
        return


def wording(kb: KnowledgeBase, ctx: Context) -> Iterator[Problem]:
    for sid, card in kb.authored.items():
        for path, text in iter_texts(card):
            for rule, pattern, advice in WORDING:
                if pattern.search(text.uk):
                    yield Problem(rule, kb.files[sid], advice, field=f"{path}.uk")


def free_but_hedged(kb: KnowledgeBase, ctx: Context) -> Iterator[Problem]:
    for sid, card in kb.authored.items():
        if card.cost.kind != "free":
            continue
        for lang, pattern in HEDGE.items():
            if m := pattern.search(getattr(card.cost.text, lang)):
                yield Problem(7, kb.files[sid], f"cost kind is free but the text hedges ({m.group(0)!r}): if it is "
                              "not free for everyone, use kind: varies", field=f"cost.text.{lang}")


def numbers(text: str) -> set[str]:
    """The figures in a text, whatever the separators: "50 000" and "50,000" are both "50000"."""
    return {re.sub(r"\D", "", n) for n in NUMBER_RE.findall(text)}


def number_parity(kb: KnowledgeBase, ctx: Context) -> Iterator[Problem]:
    for sid, card in kb.authored.items():
        for path, text in iter_texts(card):
            uk, en = numbers(text.uk), numbers(text.en)
            if uk != en:
                detail = "; ".join(filter(None, [
                    f"only in uk: {', '.join(sorted(uk - en))}" if uk - en else "",
                    f"only in en: {', '.join(sorted(en - uk))}" if en - uk else "",
                ]))
                yield Problem(8, kb.files[sid], f"uk and en give different figures ({detail}); "
                              "the translation must say the same", field=path)


def translation(kb: KnowledgeBase, ctx: Context) -> Iterator[Problem]:
    """English that is a copy of the Ukrainian (a sign it was never translated)."""
    records: list[tuple[str, BaseModel]] = [(kb.files[sid], card) for sid, card in kb.authored.items()]
    records += [(f"situations.yaml: record {s.id}", s) for s in kb.situations.values()]
    for where, record in records:
        for path, text in iter_texts(record):
            if text.uk == text.en and CYRILLIC_RE.search(text.uk):
                yield Problem(9, where, "English text is a copy of the Ukrainian", field=path)


def sentences(text: str) -> list[str]:
    return [s for s in SENTENCE_END_RE.split(text) if s.strip()]


def nested_brackets(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += (ch == "(") - (ch == ")")
        if depth > 1:
            return True
    return False


def readability(kb: KnowledgeBase, ctx: Context) -> Iterator[Problem]:
    for sid, card in kb.authored.items():
        where = kb.files[sid]
        filled = kb.services[sid]
        if len(filled.summary.uk) > MAX_SUMMARY:
            yield Problem(12, where, f"summary is {len(filled.summary.uk)} characters; keep it ≤ {MAX_SUMMARY}: "
                          "what it is and the key catch", field="summary.uk")
        for i, d in enumerate(filled.documents):
            for lang in ("uk", "en"):
                if len(d.text.get(lang)) > MAX_DOCUMENT_TEXT:
                    yield Problem(12, where, f"a checklist line is {len(d.text.get(lang))} characters; keep it ≤ "
                                  f"{MAX_DOCUMENT_TEXT} and move the rest to note:", field=f"documents[{i}].text.{lang}")
        for path, text in iter_texts(card):
            for s in sentences(text.uk):
                if len(_words(s)) > MAX_SENTENCE_WORDS:
                    yield Problem(12, where, f"a sentence of {len(_words(s))} words (≤ {MAX_SENTENCE_WORDS}): "
                                  f"«{s[:60]}…»; split it", field=f"{path}.uk")
            for lang in ("uk", "en"):
                if nested_brackets(getattr(text, lang)):
                    yield Problem(12, where, "brackets inside brackets; rephrase", field=f"{path}.{lang}")
