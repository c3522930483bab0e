"""Fit the service model of knowledge/search/service_model.py on the labelled sets of bench/data.

Run:  .venv/bin/python bench/fit_services.py            (cross-validation, then writes service_counts.json)
      .venv/bin/python bench/fit_services.py --cv-only  (only the cross-validation)

Every in-scope message of the TRAINING sets is an example of the services (and life situations) it
expects; every message that expects nothing (off-topic, junk, near misses) of the TRAINING and OFF_TOPIC
sets is an example of the scope model's off-topic class. A set that is to measure the search must not be
listed here: it would be training data.

Cross-validation leaves one whole file out at a time (each file has its own author and style) and prints
top-1 and top-3 of the search on it without the model, with the model built from the KB's names alone,
and with the names and the messages of the other files — the engine's own code path (the model orders
close candidates, puts first a candidate it is sure of and offers its likeliest service third), only the
counts swapped.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from knowledge.loader import load_kb  # noqa: E402
from knowledge.search import SearchEngine  # noqa: E402
from knowledge.search import engine as engine_module  # noqa: E402
from knowledge.search.hygiene import clean_text  # noqa: E402
from knowledge.search.service_model import COUNTS_PATH, ServiceModel, count_messages, count_off_topic  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
import labelled_sets  # noqa: E402

TRAINING = labelled_sets.SEARCH
OFF_TOPIC = labelled_sets.OFF_TOPIC  # only their messages that expect nothing count


def examples(engine: SearchEngine, off_topic: bool = False) -> list[dict]:
    """The in-scope messages of the TRAINING sets; with `off_topic`, those that expect nothing instead
    (of the TRAINING and OFF_TOPIC sets)."""
    rows = []
    for name in TRAINING + (OFF_TOPIC if off_topic else []):
        for it in yaml.safe_load((ROOT / "bench" / "data" / name).read_text(encoding="utf-8"))["queries"]:
            exp = it["expected"]
            if bool(exp) == off_topic or (exp and exp[0].startswith("intent:")):
                continue
            clean = clean_text(it["q"], engine_module.MAX_QUERY_CHARS)
            rows.append({"file": name, "q": it["q"], "expected": exp, "feats": engine.intent_features(clean)})
    return rows


def ranks(engine: SearchEngine, rows: list[dict]) -> tuple[int, int]:
    """(how many have an expected id first, in the first three) by search()."""
    got = [[h.id for h in engine.search(r["q"], limit=3)] for r in rows]
    return (sum(bool(ids) and ids[0] in r["expected"] for r, ids in zip(rows, got)),
            sum(any(i in r["expected"] for i in ids) for r, ids in zip(rows, got)))


@contextmanager
def engine_settings(engine: SearchEngine, model: ServiceModel, **values: float) -> Iterator[None]:
    """The engine with this service model and these engine.py constants for a while."""
    saved = engine.service_model, {k: getattr(engine_module, k) for k in values}
    engine.service_model = model
    for k, v in values.items():
        setattr(engine_module, k, v)
    try:
        yield
    finally:
        engine.service_model = saved[0]
        for k, v in saved[1].items():
            setattr(engine_module, k, v)


def cross_validate(engine: SearchEngine, rows: list[dict], off_rows: list[dict],
                   names: list[tuple[str, list[str]]]) -> None:
    files = list(dict.fromkeys(r["file"] for r in rows))
    totals = [0] * 6
    print(f"leave-one-file-out top-1 / top-3 ({len(rows)} in-scope messages): no model | KB names only | "
          "names + messages")
    for f in files:
        test = [r for r in rows if r["file"] == f]
        # No model: it neither orders the candidates nor brings one.
        with engine_settings(engine, engine.service_model, RERANK_WEIGHT=0.0, MODEL_CANDIDATE=2.0, MODEL_FIRST=2.0):
            a = ranks(engine, test)
        with engine_settings(engine, ServiceModel.build(names, {})):
            b = ranks(engine, test)
        with engine_settings(engine, ServiceModel.build(
                names, count_messages((r["expected"], r["feats"]) for r in rows if r["file"] != f),
                count_off_topic(r["feats"] for r in off_rows if r["file"] != f))):
            c = ranks(engine, test)
        totals = [t + v for t, v in zip(totals, a + b + c)]
        n = len(test)
        print(f"  {f:<30} {n:>4}: " + " | ".join(f"{x / n:.3f} / {y / n:.3f}" for x, y in (a, b, c)))
    n = len(rows)
    print(f"  {'all':<30} {n:>4}: " + " | ".join(f"{totals[i] / n:.3f} / {totals[i + 1] / n:.3f}" for i in (0, 2, 4)))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cv-only", action="store_true")
    args = ap.parse_args()
    engine = SearchEngine(load_kb(strict=False))
    rows = examples(engine)
    off_rows = examples(engine, off_topic=True)
    cross_validate(engine, rows, off_rows, engine.index.name_keys())
    if args.cv_only:
        return 0
    counts = count_messages((r["expected"], r["feats"]) for r in rows)
    off = count_off_topic(r["feats"] for r in off_rows)
    data = {"about": "counts of lemma keys per service id in the labelled messages of bench/data, and in those "
                     "about none of them (bench/fit_services.py); the KB's names are counted when the engine starts",
            "counts": {c: {f: round(n, 3) for f, n in sorted(fs.items())} for c, fs in sorted(counts.items())},
            "off_topic": {f: round(n, 3) for f, n in sorted(off.items())}}
    COUNTS_PATH.write_text(json.dumps(data, ensure_ascii=False, indent=0, sort_keys=False) + "\n", encoding="utf-8")
    print(f"wrote {COUNTS_PATH.relative_to(ROOT)}: {len(counts)} services, "
          f"{sum(len(fs) for fs in counts.values())} counts from {len(rows)} messages; off-topic: {len(off)} "
          f"counts from {len(off_rows)} messages")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
