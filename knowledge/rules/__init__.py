"""The content rules of `kb check` (kb-v2 §6), one module per concern.

Each rule is a function `(kb, ctx) -> iterable of Problem`; knowledge/check.py
runs them all and prints one report.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from knowledge.card import Translate

RULE_NAMES = {
    1: "schema and references",
    2: "required services",
    3: "legal acts",
    4: "links",
    5: "abbreviations",
    6: "wording",
    7: "free but hedged",
    8: "numbers uk/en",
    9: "translation",
    10: "amounts, years and validity",
    11: "checked and evidence",
    12: "readability",
    13: "first-screen length",
    14: "checklist completion",
}
# A community's own KB may relax these to warnings (`kb check --lenient`).
LENIENT_RULES = {12, 13}


@dataclass(frozen=True)
class Problem:
    rule: int
    where: str  # the file (and record), e.g. "services/id-card.yaml" or "acts.yaml: record law-5492-vi"
    message: str  # what is wrong and what to do
    field: str | None = None
    warning: bool = False

    def __str__(self) -> str:
        place = f"{self.where}: " if self.where else ""
        place += f"field {self.field}: " if self.field else ""
        return f"{place}{self.message} [rule {self.rule}: {RULE_NAMES[self.rule]}]"


@dataclass(frozen=True)
class Context:
    today: dt.date
    tr: Translate | None = None  # labels of the rendered first screen (rule 13), in Ukrainian
    required_csv: Path | None = None
