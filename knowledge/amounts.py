"""Yearly fees and payments: one value per id, with the period it is valid for.

Cards write `{fee:residence-registration}`; the loader puts the formatted sum in
each language, so the figure is changed once a year in amounts.yaml instead of
in every card that mentions it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from knowledge.models import Amount, Base

PLACEHOLDER_RE = re.compile(r"\{((?:fee|pay):[a-z0-9]+(?:-[a-z0-9]+)*)\}")
NBSP = "\u00a0"
KOPECK = Decimal("0.01")


@dataclass(frozen=True)
class Period:
    """Dates a figure or text is valid for; None is open on that side."""

    valid_from: dt.date | None = None
    valid_until: dt.date | None = None

    def __and__(self, other: Period) -> Period:
        starts = [d for d in (self.valid_from, other.valid_from) if d]
        ends = [d for d in (self.valid_until, other.valid_until) if d]
        return Period(max(starts) if starts else None, min(ends) if ends else None)

    def expired(self, today: dt.date) -> bool:
        return self.valid_until is not None and self.valid_until < today

    def not_started(self, today: dt.date) -> bool:
        return self.valid_from is not None and self.valid_from > today


@dataclass(frozen=True)
class ResolvedAmount:
    id: str
    value: Decimal
    unit: str
    period: Period
    acts: tuple[str, ...]  # the amount's act, then its base's


def resolve(amounts: dict[str, Amount], bases: dict[str, Base]) -> tuple[dict[str, ResolvedAmount], list[str]]:
    """Compute every amount; problems name the record in amounts.yaml."""
    out: dict[str, ResolvedAmount] = {}
    problems: list[str] = []
    for aid, a in amounts.items():
        own = Period(a.valid_from, a.valid_until)
        if a.base is None:
            assert a.value is not None  # the model allows a value or a base, exactly one
            out[aid] = ResolvedAmount(aid, a.value, a.unit, own, (a.act,))
            continue
        base = bases.get(a.base)
        if base is None:
            problems.append(f"amounts.yaml: record {aid}: field base: unknown base {a.base!r}")
            continue
        assert a.factor is not None  # a base comes with its factor (the model checks it)
        value = (base.value * a.factor).quantize(KOPECK, rounding=ROUND_HALF_UP)
        period = own & Period(base.valid_from, base.valid_until)
        out[aid] = ResolvedAmount(aid, value, base.unit, period, (a.act, base.act))
    return out, problems


def format_money(value: Decimal, lang: str) -> str:
    """uk "2 000 грн", "49,92 грн"; en "UAH 2,000", "UAH 49.92" — never broken across lines."""
    whole = value == value.to_integral_value()
    text = f"{value:,.0f}" if whole else f"{value:,.2f}"
    if lang == "uk":
        return text.replace(",", NBSP).replace(".", ",") + NBSP + "грн"
    return "UAH" + NBSP + text


def placeholders(text: str) -> list[str]:
    return PLACEHOLDER_RE.findall(text)


def substitute(text: str, amounts: dict[str, ResolvedAmount], lang: str) -> str:
    """Replace known placeholders; unknown ones stay visible (the loader reports them)."""

    def one(m: re.Match) -> str:
        a = amounts.get(m.group(1))
        return format_money(a.value, lang) if a else m.group(0)

    return PLACEHOLDER_RE.sub(one, text)
