"""Rules 10 and 11: figures and years say how long they hold; "checked" only with the pages to show for it."""

from __future__ import annotations

import re
from collections.abc import Iterator

from knowledge.amounts import placeholders
from knowledge.evidence import NEEDED_FOR_CHECKED, backed, missing_for_checked
from knowledge.loader import KnowledgeBase
from knowledge.rules import Context, Problem
from knowledge.texts import iter_texts

MONEY_RE = re.compile(
    r"\d[\d \u00a0\u202f]*(?:[.,]\d+)?\s*(?:тис\.\s*)?(?:грн|гривн|гривень|₴)"
    r"|\bUAH\s*\d[\d,.]*|\d[\d,]*(?:\.\d+)?\s*(?:thousand\s*)?(?:UAH|hryvnias?)\b",
    flags=re.IGNORECASE,
)
YEAR_RE = re.compile(r"(?<![\d,])(20\d{2})(?!\d)")
ASK_RE = re.compile(r"уточн", flags=re.IGNORECASE)


def _current_year(text: str, path: str, today) -> re.Match | None:
    """A year from last year on: "у 2025 році", "з 2026 року" date a statement. Older years are history
    ("records since 2013"), and years in a legal citation name an act, not a period."""
    if path.startswith("legal_basis"):
        return None
    return next((m for m in YEAR_RE.finditer(text) if int(m.group(1)) >= today.year - 1), None)


def validity(kb: KnowledgeBase, ctx: Context) -> Iterator[Problem]:
    used: set[str] = set()
    for sid, card in kb.authored.items():
        where = kb.files[sid]
        for path, text in iter_texts(card):
            for lang in ("uk", "en"):
                value = getattr(text, lang)
                used.update(placeholders(value))
                found = MONEY_RE.search(value) or _current_year(value, path, ctx.today)
                if found and text.valid_until is None:
                    yield Problem(10, where, f"{found.group(0).strip()!r} is bound to a time: use a placeholder "
                                  "({fee:…}/{pay:…} from amounts.yaml) or add valid_until: to this text",
                                  field=f"{path}.{lang}")
        for item in kb.validity[sid].expired(ctx.today):
            yield Problem(10, where, f"relies on {item.kind} {item.ref!r}, which expired on "
                          f"{item.period.valid_until}: re-check and update it")
        for item in kb.validity[sid].items:
            if item.period.not_started(ctx.today):
                yield Problem(10, where, f"uses {item.kind} {item.ref!r}, valid only from {item.period.valid_from}")
    for rid in kb.amount_records:
        if rid not in used:
            yield Problem(10, f"{kb.registry_files.get(rid, 'amounts.yaml')}: record {rid}",
                          "no card uses this amount", warning=True)


def checked(kb: KnowledgeBase, ctx: Context) -> Iterator[Problem]:
    for sid, card in kb.authored.items():
        where = kb.files[sid]
        for i, e in enumerate(card.evidence):
            if e.read > ctx.today:
                yield Problem(11, where, f"read on {e.read}, which is in the future", field=f"evidence[{i}].read")
        if card.checked is not None:
            if missing := missing_for_checked(card):
                yield Problem(11, where, f"checked: needs evidence that supports {', '.join(NEEDED_FOR_CHECKED)}; "
                              f"nothing read supports {', '.join(missing)}: add that page or remove checked:",
                              field="checked")
            if late := [e.read for e in card.evidence if e.read > card.checked]:
                yield Problem(11, where, f"checked {card.checked} is before a page was read ({max(late)})",
                              field="checked")
            if card.checked > ctx.today:
                yield Problem(11, where, f"checked {card.checked} is in the future", field="checked")
        if card.cost.kind in ("varies", "unknown") and not backed(card, "cost") and not ASK_RE.search(card.cost.text.uk):
            yield Problem(11, where, "no page read backs the cost: say «уточніть у ЦНАП» (or where to ask)",
                          field="cost.text.uk")
        if not backed(card, "term") and not ASK_RE.search(card.term.uk):
            yield Problem(11, where, "no page read backs the term: say «уточніть у ЦНАП» (or where to ask)",
                          field="term.uk")
