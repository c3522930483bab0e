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
from knowledge.search.service_model import ServiceModel, count_messages  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
import fit_services  # noqa: E402

# Held-out sets 1-6 joined after each was measured once (bench/data/README.md); a new held-out set must not.
TUNING = ["search_devset.yaml", "search_dev_hard.yaml", "search_offtopic_dev.yaml", "search_dev_newservices.yaml",
          "search_dev_newkb.yaml", "search_offtopic_dev2.yaml", "search_heldout.yaml", "search_heldout_2.yaml",
          "search_heldout_3.yaml", "search_heldout_4.yaml", "search_heldout_5.yaml", "search_heldout_6.yaml"]
L2 = 0.001


def collect(engine: SearchEngine) -> tuple[np.ndarray, np.ndarray]:
    """The evidence of every tuning message. The service model that orders close candidates is built
    without the message's own file (as fit_services.py cross-validates): fitted on its own messages it
    would look surer than it is on new ones."""
    rows, names = fit_services.examples(engine), engine.index.name_keys()
    shipped = engine.service_model
    xs, ys = [], []
    for name in TUNING:
        others = [r for r in rows if r["file"] != name]
        engine.service_model = ServiceModel.build(names, count_messages((r["expected"], r["feats"]) for r in others))
        for it in yaml.safe_load((ROOT / "bench" / "data" / name).read_text(encoding="utf-8"))["queries"]:
            exp = it["expected"]
            if exp and exp[0].startswith("intent:"):
                continue
            probe = engine.probe(it["q"])
            if probe is None:  # an intent answered it
                continue
            ids, x = probe
            if not exp:
                y = 0
            elif ids and ids[0] in exp:
                y = 1
            elif any(i in exp for i in ids[:3]):
                continue
            else:
                y = 0
            xs.append(x)
            ys.append(y)
    engine.service_model = shipped
    return np.array(xs, dtype=float), np.array(ys, dtype=float)


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
    x, y = collect(engine)
    w, b = fit(x, y)
    print(f"examples: {int(y.sum())} positive, {int(len(y) - y.sum())} negative")
    print("WEIGHTS = (" + ", ".join(f"{v:.3f}" for v in w) + ")  # " + ", ".join(FEATURE_NAMES))
    print(f"BIAS = {b:.3f}")
    p = 1 / (1 + np.exp(-(x @ w + b)))
    for t in (0.3, 0.4, 0.5, 0.6, 0.7):
        print(f"threshold {t}: positives kept {np.mean(p[y == 1] >= t):.3f}, negatives passed {np.mean(p[y == 0] >= t):.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
