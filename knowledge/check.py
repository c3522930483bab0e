"""`run_bot.py kb check`: everything wrong with the knowledge base, in one readable report."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from knowledge.loader import DATA_DIR, KnowledgeBase, KnowledgeBaseError, check_required, load_kb, untranslated

# A copy of the project's list of services every community's KB must contain.
REQUIRED_CSV = DATA_DIR / "required-services.csv"


def collect_problems(data_dir: Path | None = None, required_csv: Path | None = None) -> tuple[list[str], KnowledgeBase]:
    data_dir = Path(data_dir or DATA_DIR)
    try:
        kb = load_kb(data_dir, strict=True)
        problems: list[str] = []
    except KnowledgeBaseError as exc:
        problems = list(exc.problems)
        kb = load_kb(data_dir, strict=False)  # what could be loaded, for the checks below
    csv_path = Path(required_csv or REQUIRED_CSV)
    if csv_path.exists():
        problems += check_required(kb, csv_path)
    problems += untranslated(kb)
    return problems, kb


def run_check(data_dir: Path | None, required_csv: Path | None, out: TextIO) -> int:
    problems, kb = collect_problems(data_dir, required_csv)
    print(
        f"Knowledge base: {len(kb.services)} services, {len(kb.categories)} categories, "
        f"{len(kb.situations)} life situations, {len(kb.offices)} offices.",
        file=out,
    )
    if problems:
        print(f"{len(problems)} problem(s):", file=out)
        for p in problems:
            print(f"  - {p}", file=out)
        return 1
    print("OK: no problems found.", file=out)
    return 0
