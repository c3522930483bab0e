"""Which words of a long message carry the need, and which only tell the story around it.

A message is split into clauses at punctuation. A clause that holds a *need
marker* («треба, потрібно, хочу, чи можна, як, де, куди, підкажіть…») says
what the person wants; a clause without one tells the story («мені 67
років, пенсія маленька»); a clause opened by a relative word («…, хто
перекладе жестами») continues the clause before it. When some need clause
holds a meaningful word, the story's words count less (the engine decides how
much, see engine.py): «синові виповнилося 14 років, кажуть треба робити
паспорт» is about the passport, not about sons.

Inside any clause, the words after a condition, reason or concession marker
(«якщо я пенсіонер», «бо дитина з температурою») describe circumstances and
count half.
"""

from __future__ import annotations

import re
from typing import Literal

from knowledge.search.morph import names_a_thing
from knowledge.search.normalize import fold, is_cyrillic, tokenize
from knowledge.search.stopwords import is_context_word, is_filler, is_stop_word

Role = Literal["need", "story", "circumstance"]

_CIRCUMSTANCE = frozenset(fold(w) for w in """
якщо якшо якщоб если if бо because оскільки поскольку since хоча хотя although though
""".split())
_NEED = frozenset(fold(w) for w in """
треба требa потрібно потрібен потрібна потрібні потрібне необхідно нужно нужен нужна нужны надо нада
хочу хочемо хочеться хотіла хотів хотіли хотілося хотел хотела хотели хотим хочется бажаю желаю
можна можно можу можемо може можете могу можем можете чи ли як как де где куди куда
підкажіть підкажи подскажите подскажи допоможіть допоможи помогите прошу просимо цікавить интересует шукаю ищу
need needs want wants how where can could help looking
""".split())
# A clause opened by one of these goes on with the clause before it («…, тобто прописати»: the need said again).
_CONTINUES = frozenset(fold(w) for w in """
що шо хто який яка яке які якого якої якому яку якій яким яких щоб що-б чтобы кто который которая которое которые
и і й та а але або но или who which that so
тобто точніше вірніше точнее
""".split())
_CLAUSE_END = re.compile(r"[.!?;,:()\n…]+")
CIRCUMSTANCE_FACTOR = 0.5


def _is_content(token: str) -> bool:
    return not (is_stop_word(token) or is_filler(token) or is_context_word(token) or token.isdigit())


def word_roles(text: str) -> list[tuple[str, Role]]:
    """(lower-cased token, role) in the order of `text`; the tokens are those of `tokenize(text)`."""
    out: list[tuple[str, Role]] = []
    prev_need = False
    for chunk in _CLAUSE_END.split(text):
        toks = tokenize(chunk)
        if not toks:
            continue
        folded = [fold(t) for t in toks]
        need = any(f in _NEED for f in folded) or (folded[0] in _CONTINUES and prev_need)
        prev_need = need
        in_circumstance = False
        for tok, f in zip(toks, folded):
            if f in _CIRCUMSTANCE:
                in_circumstance = True
            out.append((tok, "circumstance" if in_circumstance else "need" if need else "story"))
    return out


_SENTENCE_END = re.compile(r"[.!?\n…]+")
_WORD = re.compile(r"\w[\w'’ʼ-]*")


def proper_nouns(text: str) -> frozenset[str]:
    """Lower-cased words written with a capital inside a sentence («з Харкова», «під Бахмутом»).

    Places and names tell the story, not the need; the engine ignores those the KB does not use.
    Nothing in a message written in capitals (or mostly so: elderly writing), where case says nothing.
    """
    letters = [ch for ch in text if ch.isalpha()]
    if not letters or sum(ch.isupper() for ch in letters) > 0.3 * len(letters):
        return frozenset()
    out = set()
    for sentence in _SENTENCE_END.split(text):
        for word in _WORD.findall(sentence)[1:]:
            # Cyrillic only: English capitalises more than names and places («Ukrainians», «Monday»).
            if word[0].isupper() and not word.isupper() and word[1:].islower() and is_cyrillic(word):
                out.update(tokenize(word))
    return frozenset(out)


def has_need_clause(roles: list[tuple[str, Role]]) -> bool:
    """Some need clause names a thing (so the story around it can count less): «…, треба робити паспорт».
    Not «…, як отримати новий?», «…, чи платять щось?»: there the story says what it is about."""
    return any(role == "need" and _is_content(tok) and names_a_thing(tok) for tok, role in roles)


__all__ = ["word_roles", "has_need_clause", "proper_nouns", "Role", "CIRCUMSTANCE_FACTOR"]
