"""`run_bot.py kb stale`: what staff must re-check soon — expired or expiring figures, acts and texts,
and cards that nobody has backed with a page read."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TextIO

from knowledge.loader import KnowledgeBase


@dataclass(frozen=True)
class Due:
    until: dt.date
    what: str  # "amount fee:x", "act law-…", "text services/x.yaml: term"
    used_by: tuple[str, ...]  # service ids

    def expired(self, today: dt.date) -> bool:
        return self.until < today


def due(kb: KnowledgeBase, today: dt.date, days: int) -> list[Due]:
    """Everything dated that has expired or expires within `days`, soonest first."""
    horizon = today + dt.timedelta(days=days)
    users: dict[str, set[str]] = {}
    found: dict[str, dt.date] = {}
    for sid, validity in kb.validity.items():
        for item in validity.items:
            until = item.period.valid_until
            if until is None or until > horizon:
                continue
            what = f"text {kb.files[sid]}: {item.ref}" if item.kind == "text" else f"{item.kind} {item.ref}"
            found[what] = until
            users.setdefault(what, set()).add(sid)
    # Registry entries nobody uses yet still need updating before a card starts using them.
    for aid, amount in kb.amounts.items():
        until = amount.period.valid_until
        if until and until <= horizon:
            found.setdefault(f"amount {aid}", until)
    for act in kb.acts.values():
        if act.valid_until and act.valid_until <= horizon:
            found.setdefault(f"act {act.id}", act.valid_until)
    return sorted((Due(until, what, tuple(sorted(users.get(what, ())))) for what, until in found.items()),
                  key=lambda d: (d.until, d.what))


def without_evidence(kb: KnowledgeBase) -> list[str]:
    """Cards and yearly figures that no page read backs at all."""
    out = [kb.files[sid] for sid, card in sorted(kb.authored.items()) if not card.evidence]
    out += [f"amounts: base {bid}" for bid, b in sorted(kb.bases.items()) if not b.evidence]
    out += [f"amounts: {aid}" for aid, a in sorted(kb.amount_records.items()) if not a.evidence]
    return out


def report(kb: KnowledgeBase, today: dt.date, days: int, out: TextIO) -> int:
    items = due(kb, today, days)
    expired = [d for d in items if d.expired(today)]
    soon = [d for d in items if not d.expired(today)]
    for title, group in ((f"Expired (before {today}):", expired), (f"Expires within {days} days:", soon)):
        print(title, file=out)
        for d in group:
            used = f" — used by {', '.join(d.used_by)}" if d.used_by else ""
            print(f"  {d.until}  {d.what}{used}", file=out)
        if not group:
            print("  nothing", file=out)
    bare = without_evidence(kb)
    print(f"No evidence at all ({len(bare)}):", file=out)
    for name in bare:
        print(f"  {name}", file=out)
    if not bare:
        print("  nothing", file=out)
    return 1 if expired else 0
