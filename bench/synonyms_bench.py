"""What closing the loop on unanswered searches does to the search: before/after figures.

    .venv/bin/python bench/synonyms_bench.py

Takes every query of the search benchmark's sets that the engine does not answer confidently with the
right service (what staff would see under "Unanswered searches"), links every other one of them to
its expected service the way the console does (knowledge/overlay.py writes community-synonyms.yaml in
a copy of the knowledge base), rebuilds the index, and measures in the same run, before and after:
the linked queries, the misses left unlinked (does a link help other wordings?), every set as a
whole (nothing else may get worse) and the off-topic set (no new confident answers to junk).
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.search_bench import DATA, Row, evaluate, load_devset, ours  # noqa: E402
from knowledge import overlay  # noqa: E402
from knowledge.loader import DATA_DIR, load_kb  # noqa: E402
from knowledge.search import SearchEngine  # noqa: E402

SETS = ["search_devset.yaml", "search_heldout.yaml", "search_dev_hard.yaml", "search_dev_newservices.yaml"]


def share(rows: list[Row], attr: str = "vtop1") -> str:
    return f"{sum(getattr(r, attr) for r in rows) / max(len(rows), 1):.3f}"


def main() -> int:
    items = {name: load_devset(DATA / name) for name in SETS}
    offtopic = load_devset(DATA / "search_offtopic_dev.yaml")
    kb_dir = Path(tempfile.mkdtemp()) / "kb"
    shutil.copytree(DATA_DIR, kb_dir)
    kb = load_kb(kb_dir)
    before = ours(SearchEngine(kb))
    rows_before = {name: evaluate(before, its) for name, its in items.items()}
    # (a narrative longer than a synonym may be, 120 characters, is counted cut short: it is not linked)
    misses = [r.item for rows in rows_before.values() for r in rows
              if r.scope == "service" and not r.vtop1 and len(r.item["q"]) <= 120 and r.item["expected"][0] in kb.services]
    linked, unlinked = misses[0::2], misses[1::2]
    for item in linked:
        overlay.add_link(kb_dir, item["q"], item["expected"][0], dt.date(2026, 12, 1))
    after = ours(SearchEngine(load_kb(kb_dir)))

    print(f"{len(misses)} queries not answered confidently with the right service; {len(linked)} linked by an admin.\n")
    print(f"{'verdict-aware top-1 (answered and right)':<48} {'before':>7} {'after':>7}")
    for label, group in (("the linked queries", linked), ("misses left unlinked", unlinked)):
        print(f"{label:<48} {share(evaluate(before, group)):>7} {share(evaluate(after, group)):>7}")
    for name, its in items.items():
        print(f"{name:<48} {share(rows_before[name]):>7} {share(evaluate(after, its)):>7}")
    print(f"{'off-topic answered with services (lower is better)':<48} {share(evaluate(before, offtopic), 'answered'):>7} "
          f"{share(evaluate(after, offtopic), 'answered'):>7}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
