"""The project's search targets, measured on the development set.

bench/data/search_devset.yaml is a measuring instrument, not training data:
its queries must not be copied into synonyms or tests (see bench/data/README.md).
`bench/search_bench.py` prints the same figures per query kind, with the misses.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from knowledge.loader import load_kb
from knowledge.search import SearchEngine

DATA = Path(__file__).resolve().parents[2] / "bench" / "data"
DEVSET = DATA / "search_devset.yaml"
HELDOUT = DATA / "search_heldout.yaml"
TOP1_TARGET = 0.92
TOP3_TARGET = 0.98
# The held-out set was written after the engine, never looked at while tuning: a regression floor set
# just under what it measured when added (top-1 0.927, top-3 0.973), not a target to tune towards.
HELDOUT_TOP1_FLOOR = 0.90
HELDOUT_TOP3_FLOOR = 0.95
# Held-out set 2 (449 messages, written by someone who saw neither the engine nor the KB), run once on
# 2026-12-01: top-1 0.912, top-3 0.972 in scope. A floor just under, never a target; its misses are never
# printed, so that nobody tunes on them.
HELDOUT_2 = DATA / "search_heldout_2.yaml"
HELDOUT_2_TOP1_FLOOR = 0.88
HELDOUT_2_TOP3_FLOOR = 0.94


@pytest.fixture(scope="module")
def engine():
    return SearchEngine(load_kb(strict=False))


def _run(engine, path: Path):
    items = [q for q in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("queries", []) if q.get("expected")]
    rows = []
    for it in items:
        lang = "en" if it.get("kind") == "english" else "uk"
        got = [h.id for h in engine.search(it["q"], lang=lang, limit=3)]
        expected = set(it["expected"])
        rows.append((it.get("kind", "?"), it["q"], sorted(expected), got, bool(got) and got[0] in expected,
                     any(g in expected for g in got[:3])))
    return rows


@pytest.fixture(scope="module")
def results(engine):
    return _run(engine, DEVSET)


def _report(rows) -> str:
    per_kind: dict[str, list] = defaultdict(list)
    for r in rows:
        per_kind[r[0]].append(r)
    lines = [f"{k:<11} n={len(v):>3} top1={sum(r[4] for r in v) / len(v):.3f} top3={sum(r[5] for r in v) / len(v):.3f}"
             for k, v in sorted(per_kind.items())]
    lines += [f"  miss [{r[0]}] {r[1]!r}: expected {r[2]}, got {r[3]}" for r in rows if not r[4]]
    return "\n".join(lines)


def test_devset_is_substantial(results):
    assert len(results) >= 240


def test_top1_accuracy(results):
    top1 = sum(r[4] for r in results) / len(results)
    assert top1 >= TOP1_TARGET, f"top-1 {top1:.3f} < {TOP1_TARGET}\n{_report(results)}"


def test_top3_accuracy(results):
    top3 = sum(r[5] for r in results) / len(results)
    assert top3 >= TOP3_TARGET, f"top-3 {top3:.3f} < {TOP3_TARGET}\n{_report(results)}"


def test_every_kind_is_served(results):
    """No kind of query may be left behind even when the overall figure is fine."""
    per_kind: dict[str, list[bool]] = defaultdict(list)
    for r in results:
        per_kind[r[0]].append(r[5])
    weak = {k: sum(v) / len(v) for k, v in per_kind.items() if sum(v) / len(v) < 0.85}
    assert not weak, f"kinds with top-3 below 0.85: {weak}\n{_report(results)}"


def test_heldout_set_stays_above_its_floor(engine):
    rows = _run(engine, HELDOUT)
    assert len(rows) >= 150
    top1 = sum(r[4] for r in rows) / len(rows)
    top3 = sum(r[5] for r in rows) / len(rows)
    assert top1 >= HELDOUT_TOP1_FLOOR and top3 >= HELDOUT_TOP3_FLOOR, f"top-1 {top1:.3f}, top-3 {top3:.3f}\n{_report(rows)}"


def test_second_heldout_set_stays_above_its_floor(engine):
    rows = [r for r in _run(engine, HELDOUT_2) if not any(e.startswith("intent:") for e in r[2])]
    assert len(rows) >= 300
    top1 = sum(r[4] for r in rows) / len(rows)
    top3 = sum(r[5] for r in rows) / len(rows)
    assert top1 >= HELDOUT_2_TOP1_FLOOR and top3 >= HELDOUT_2_TOP3_FLOOR, f"top-1 {top1:.3f}, top-3 {top3:.3f}"
