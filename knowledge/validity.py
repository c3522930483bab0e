"""How long a card stays true: the intersection of everything dated that it uses.

A card is as current as its shortest-lived part: a yearly fee, an act that
covers one year, a sentence marked `valid_until`. The loader computes this per
card; `kb check` fails on what has expired and `kb stale` lists what soon will.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from knowledge.amounts import Period, ResolvedAmount, placeholders
from knowledge.models import Act, Service
from knowledge.texts import iter_texts


@dataclass(frozen=True)
class Dated:
    kind: str  # "amount" | "act" | "text"
    ref: str  # the amount or act id, or the card field of a text
    period: Period


@dataclass(frozen=True)
class Validity:
    period: Period  # the window in which every dated part holds
    items: tuple[Dated, ...]

    def expired(self, today: dt.date) -> list[Dated]:
        return [i for i in self.items if i.period.expired(today)]

    def expiring(self, today: dt.date, days: int) -> list[Dated]:
        horizon = today + dt.timedelta(days=days)
        return [i for i in self.items if i.period.valid_until and today <= i.period.valid_until <= horizon]


def card_validity(card: Service, amounts: dict[str, ResolvedAmount], acts: dict[str, Act]) -> Validity:
    """`card` as written (with placeholders): amounts it names, acts it cites, texts it dates."""
    items: list[Dated] = []
    used_amounts: list[str] = []
    for path, text in iter_texts(card):
        for lang in ("uk", "en"):
            used_amounts += [p for p in placeholders(getattr(text, lang)) if p not in used_amounts]
        if text.valid_until:
            items.append(Dated("text", path, Period(None, text.valid_until)))
    act_ids = [ref.act for ref in card.legal_basis]
    for aid in used_amounts:
        if aid in amounts:
            items.append(Dated("amount", aid, amounts[aid].period))
            act_ids += [a for a in amounts[aid].acts if a not in act_ids]
    for act_id in act_ids:
        act = acts.get(act_id)
        if act is not None and act.valid_until:
            items.append(Dated("act", act_id, Period(None, act.valid_until)))
    period = Period()
    for item in items:
        period = period & item.period
    return Validity(period, tuple(items))
