"""Fit the confidence model of knowledge/search/confidence.py on the TUNING sets (never an unspent held-out set).

Run:  .venv/bin/python bench/fit_confidence.py
Prints WEIGHTS and BIAS to paste into confidence.py, and how the fitted model separates the classes.

Examples: in-scope messages whose first candidate is right (positive); off-topic and junk messages and
in-scope messages whose right answer is not even in the first three (negative). Messages whose right
answer is second or third are left out: they are the "clarify" cases. Classes are weighted equally;
an L2 penalty keeps the weights small and readable.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402  (bench-only dependency; matplotlib brings it)
import yaml  # noqa: E402

from knowledge.loader import load_kb  # noqa: E402
from knowledge.search import SearchEngine  # noqa: E402
from knowledge.search.confidence import FEATURE_NAMES  # noqa: E402
from knowledge.search.engine import MODEL_MAYBE  # noqa: E402
from knowledge.search.service_model import ServiceModel, count_messages, count_off_topic  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
import fit_services  # noqa: E402

TUNING = fit_services.TRAINING + fit_services.OFF_TOPIC  # bench/labelled_sets.py
L2 = 0.001
THRESHOLDS = (0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.7)


def collect(engine: SearchEngine) -> list[dict]:
    """The evidence of every tuning message that is a search: its file, group ("in-scope", "near-miss",
    "off-topic" for off-topic and junk), features `x` and label `y` (1 first candidate right, 0 nothing
    right in the first three or nothing to find, None right second or third). The service model (and its
    off-topic counts) is built without the message's own file (as fit_services.py cross-validates): fitted
    on its own messages it would look surer than it is on new ones."""
    rows, off_rows = fit_services.examples(engine), fit_services.examples(engine, off_topic=True)
    names = engine.index.name_keys()
    shipped = engine.service_model
    out = []
    for name in TUNING:
        counts = count_messages((r["expected"], r["feats"]) for r in rows if r["file"] != name)
        off = count_off_topic(r["feats"] for r in off_rows if r["file"] != name)
        engine.service_model = ServiceModel.build(names, counts, off)
        for it in yaml.safe_load((ROOT / "bench" / "data" / name).read_text(encoding="utf-8"))["queries"]:
            exp = it["expected"]
            if exp and exp[0].startswith("intent:"):
                continue
            probe = engine.probe(it["q"])
            if probe is None:  # an intent answered it
                continue
            ids, x, likeliest_p = probe
            y = 1 if exp and ids and ids[0] in exp else None if any(i in exp for i in ids[:3]) else 0
            group = "in-scope" if exp else "near-miss" if it.get("kind") == "near-miss" else "off-topic"
            out.append({"file": name, "group": group, "x": x, "y": y, "likeliest_p": likeliest_p})
    engine.service_model = shipped
    return out


def arrays(examples: list[dict]) -> tuple[np.ndarray, np.ndarray]:
    """Features and labels of the examples with a label."""
    used = [e for e in examples if e["y"] is not None]
    return np.array([e["x"] for e in used], dtype=float), np.array([e["y"] for e in used], dtype=float)


def cross_validate(examples: list[dict]) -> None:
    """Leave one file out, the logistic model too: the share of each group answered with services at
    each threshold (in scope: the higher the better; off-topic and near misses: the lower)."""
    p = np.zeros(len(examples))
    for name in TUNING:
        w, b = fit(*arrays([e for e in examples if e["file"] != name]))
        for i, e in enumerate(examples):
            if e["file"] == name:
                p[i] = confidence_of(np.array(e["x"], dtype=float), w, b)
    groups = {g: np.array([e["group"] == g for e in examples]) for g in ("in-scope", "off-topic", "near-miss")}
    right = np.array([e["y"] == 1 for e in examples])
    model_sure = np.array([e["likeliest_p"] >= MODEL_MAYBE for e in examples])
    print("leave-one-file-out: share answered with services (in-scope: right first), by threshold; and with a "
          f"\"maybe\" where the service model is at least {MODEL_MAYBE} sure of one service")
    for t in THRESHOLDS:
        for a, label in ((p >= t, f"{t}:"), ((p >= t) | model_sure, "  + model:")):
            print(f"  {label:<10} in scope {a[groups['in-scope']].mean():.3f} (right first "
                  f"{(a & right)[groups['in-scope']].mean():.3f}), off-topic and junk {a[groups['off-topic']].mean():.3f}"
                  f" ({a[groups['off-topic']].sum()}/{groups['off-topic'].sum()}), near misses "
                  f"{a[groups['near-miss']].mean():.3f}")


def confidence_of(x: np.ndarray, w: np.ndarray, b: float) -> np.ndarray:
    # All-zero evidence (nothing found) is no confidence at all, as confidence.confidence says.
    z = x @ w + b
    return np.where(np.any(x != 0, axis=-1), 1 / (1 + np.exp(-z)), 0.0)


def fit(x: np.ndarray, y: np.ndarray, steps: int = 50) -> tuple[np.ndarray, float]:
    """Class-balanced, L2-penalised logistic regression by Newton's method."""
    xb = np.hstack([x, np.ones((len(x), 1))])
    pos = y.sum()
    sample_w = np.where(y == 1, 0.5 / pos, 0.5 / (len(y) - pos)) * len(y)
    w = np.zeros(xb.shape[1])
    penalty = L2 * np.eye(xb.shape[1])
    penalty[-1, -1] = 0.0  # the bias is not penalised
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(xb @ w)))
        grad = xb.T @ ((p - y) * sample_w) + penalty @ w * len(y)
        hess = (xb * (p * (1 - p) * sample_w)[:, None]).T @ xb + penalty * len(y)
        w -= np.linalg.solve(hess, grad)
    return w[:-1], float(w[-1])


def main() -> int:
    engine = SearchEngine(load_kb(strict=False))
    examples = collect(engine)
    cross_validate(examples)
    x, y = arrays(examples)
    w, b = fit(x, y)
    print(f"examples: {int(y.sum())} positive, {int(len(y) - y.sum())} negative")
    print("WEIGHTS = (" + ", ".join(f"{v:.3f}" for v in w) + ")  # " + ", ".join(FEATURE_NAMES))
    print(f"BIAS = {b:.3f}")
    p = confidence_of(x, w, b)
    for t in THRESHOLDS:
        print(f"threshold {t}: positives kept {np.mean(p[y == 1] >= t):.3f}, negatives passed {np.mean(p[y == 0] >= t):.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
