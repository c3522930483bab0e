"""`run_bot.py kb check`: everything wrong with the knowledge base, in one readable report.

Rule 1 (schema and references) comes from the loader; rules 2–14 (kb-v2 §6)
from knowledge/rules/. Every problem names the file, the field and what to do.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TextIO

from knowledge.loader import DATA_DIR, KnowledgeBase, KnowledgeBaseError, load_kb
from knowledge.rules import LENIENT_RULES, RULE_NAMES, Context, Problem
from knowledge.rules.dated import checked, validity
from knowledge.rules.links import links
from knowledge.rules.prose import abbreviations, free_but_hedged, number_parity, readability, translation, wording
from knowledge.rules.registry import legal_acts, required_services
from knowledge.rules.screens import checklist_completion, first_screen_budget

# A copy of the project's list of services every community's KB must contain.
REQUIRED_CSV = DATA_DIR / "required-services.csv"

RULES: list[Callable[[KnowledgeBase, Context], Iterable[Problem]]] = [
    required_services, legal_acts, links, abbreviations, wording, free_but_hedged, number_parity, translation,
    validity, checked, readability, first_screen_budget, checklist_completion,
]


def collect(data_dir: Path | None = None, required_csv: Path | None = None, *, today: dt.date | None = None,
            tr=None, lenient: bool = False) -> tuple[list[Problem], KnowledgeBase]:
    """Every problem (errors and warnings) of the knowledge base in `data_dir`."""
    data_dir = Path(data_dir or DATA_DIR)
    try:
        kb = load_kb(data_dir, strict=True)
        problems: list[Problem] = []
    except KnowledgeBaseError as exc:
        problems = [Problem(1, "", p) for p in exc.problems]
        kb = load_kb(data_dir, strict=False)  # what could be loaded, for the checks below
    ctx = Context(today=today or dt.date.today(), tr=tr, required_csv=Path(required_csv or REQUIRED_CSV))
    for rule in RULES:
        for p in rule(kb, ctx):
            problems.append(Problem(p.rule, p.where, p.message, p.field, True) if lenient and p.rule in LENIENT_RULES else p)
    return problems, kb


def collect_problems(data_dir: Path | None = None, required_csv: Path | None = None, **kw) -> tuple[list[str], KnowledgeBase]:
    """The errors as lines of text (warnings left out)."""
    problems, kb = collect(data_dir, required_csv, **kw)
    return [str(p) for p in problems if not p.warning], kb


def run_check(data_dir: Path | None, required_csv: Path | None, out: TextIO, *, today: dt.date | None = None,
              tr=None, lenient: bool = False) -> int:
    problems, kb = collect(data_dir, required_csv, today=today, tr=tr, lenient=lenient)
    print(
        f"Knowledge base: {len(kb.services)} services, {len(kb.categories)} categories, "
        f"{len(kb.situations)} life situations, {len(kb.offices)} offices, {len(kb.acts)} acts, "
        f"{len(kb.amounts)} amounts.",
        file=out,
    )
    errors = [p for p in problems if not p.warning]
    warnings = [p for p in problems if p.warning]
    for title, group in (("warning(s)", warnings), ("problem(s)", errors)):
        if group:
            print(f"{len(group)} {title}:", file=out)
            for p in group:
                print(f"  - {p}", file=out)
    if errors:
        counts = Counter(p.rule for p in errors)
        print("By rule: " + "; ".join(f"{r} {RULE_NAMES[r]}: {n}" for r, n in sorted(counts.items())), file=out)
        return 1
    print("OK: no problems found.", file=out)
    return 0
