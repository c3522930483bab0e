"""Fit the intent model of knowledge/search/intent_model.py on the labelled sets of bench/data.

Run:  .venv/bin/python bench/fit_intents.py            (cross-validation, then writes intent_weights.json)
      .venv/bin/python bench/fit_intents.py --cv-only  (only the cross-validation)

Every message of the TRAINING sets is an example: an intent (`expected: [intent:…]`, the CNAP contacts
by topic) or "none" (a service, a life situation, off-topic, junk, a greeting). A set that is to measure
the model must not be listed here: it would be training data.

Cross-validation leaves one whole file out at a time (each file has its own author and style, so this is
closer to "messages written by someone else" than a random split) and prints, for the rules of
intents.py alone and for the rules with the model behind them, how many intent messages get the right
intent and how many service messages get a wrong one.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402  (bench-only dependency; matplotlib brings it)
import yaml  # noqa: E402

from knowledge.loader import load_kb  # noqa: E402
from knowledge.search import SearchEngine  # noqa: E402
from knowledge.search.engine import MODEL_LENIENT, MODEL_SURE  # noqa: E402
from knowledge.search.hygiene import clean_text  # noqa: E402
from knowledge.search.intent_model import NONE, WEIGHTS_PATH  # noqa: E402
from knowledge.search.intents import detect_intent  # noqa: E402
from knowledge.search.structured import find_app_number  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
import labelled_sets  # noqa: E402

TRAINING = labelled_sets.SEARCH + labelled_sets.OFF_TOPIC + labelled_sets.INTENTS
MIN_COUNT = 2  # a feature seen in fewer messages is noise
L2 = 0.002
STEPS = 400
KEEP = 0.02  # features whose every weight is smaller are not shipped
THRESHOLDS = ((0.6, 0.4), (0.7, 0.4), (0.7, 0.5), (0.8, 0.5), (0.9, 0.5), (0.9, 0.6))  # (strict, lenient)


def label(item: dict) -> str:
    intents = [e for e in item["expected"] if e.startswith("intent:")]
    if not intents:
        return NONE
    name = intents[0].removeprefix("intent:")
    if name in ("greeting", "thanks"):  # the rules answer these; for the model they are not a question
        return NONE
    if name == "cnap-contacts":
        return f"cnap-contacts:{item.get('topic') or 'all'}"
    return name


def rule_label(clean: str, lenient: bool = False) -> str:
    it = detect_intent(clean, lenient=lenient)
    if it.name == "cnap-contacts":
        return f"cnap-contacts:{it.contact_topic or 'all'}"
    return it.name or NONE


def _not_polite(lab: str) -> str:
    return NONE if lab in ("greeting", "thanks") else lab


def collect(engine: SearchEngine) -> list[dict]:
    rows = []
    for name in TRAINING:
        for it in yaml.safe_load((ROOT / "bench" / "data" / name).read_text(encoding="utf-8"))["queries"]:
            clean = clean_text(it["q"], 300)
            if find_app_number(clean):  # the engine takes these to the status look-up before any model
                continue
            found = engine._verdict(engine._judge(clean))[0] != "none"
            rows.append({"file": name, "q": it["q"], "y": label(it), "feats": engine.intent_features(clean),
                         "rule": rule_label(clean), "rule_lenient": _not_polite(rule_label(clean, lenient=True)),
                         "found": found, "service": bool(it["expected"]) and label(it) == NONE})
    return rows


def fit(rows: list[dict], classes: list[str]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Softmax regression (L2, classes weighted by the square root of their rarity), full-batch Adam."""
    counts = Counter(f for r in rows for f in r["feats"])
    vocab = sorted(f for f, n in counts.items() if n >= MIN_COUNT)
    col = {f: i for i, f in enumerate(vocab)}
    x = np.zeros((len(rows), len(vocab)), dtype=np.float32)
    for i, r in enumerate(rows):
        for f in r["feats"]:
            if f in col:
                x[i, col[f]] = 1.0
    y = np.array([classes.index(r["y"]) for r in rows])
    n_c = np.bincount(y, minlength=len(classes)).astype(np.float64)
    cw = np.sqrt(len(y) / (len(classes) * np.maximum(n_c, 1)))
    sw = (cw[y] / cw[y].mean()).astype(np.float32)
    onehot = np.eye(len(classes), dtype=np.float32)[y]
    w = np.zeros((len(vocab), len(classes)), dtype=np.float32)
    b = np.zeros(len(classes), dtype=np.float32)
    m_w, v_w, m_b, v_b = (np.zeros_like(w), np.zeros_like(w), np.zeros_like(b), np.zeros_like(b))
    lr, b1, b2, eps = 0.05, 0.9, 0.999, 1e-8
    for t in range(1, STEPS + 1):
        z = x @ w + b
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        g = (p - onehot) * sw[:, None] / len(y)
        gw = x.T @ g + L2 * w
        gb = g.sum(axis=0)
        for param, grad, m, v in ((w, gw, m_w, v_w), (b, gb, m_b, v_b)):
            m *= b1
            m += (1 - b1) * grad
            v *= b2
            v += (1 - b2) * grad * grad
            param -= lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps)
    return vocab, w, b


def predict(model: tuple[dict[str, int], np.ndarray, np.ndarray], feats: set[str]) -> tuple[int, float]:
    col, w, b = model
    z = b + sum((w[col[f]] for f in feats if f in col), np.zeros_like(b))
    p = np.exp(z - z.max())
    p /= p.sum()
    k = int(p.argmax())
    return k, float(p[k])


def combined(row: dict, model_label: str, p: float, strict: float, lenient: float) -> str:
    """What SearchEngine.answer() does: the rules, the model when sure; when the search found nothing,
    the lenient rules, then the model when less sure."""
    if row["rule"] in ("greeting", "thanks"):  # the engine answers these at once
        return NONE
    if row["rule"] != NONE:
        return row["rule"]
    if model_label != NONE and p >= strict:
        return model_label
    if row["found"]:
        return NONE
    if row["rule_lenient"] != NONE:
        return row["rule_lenient"]
    return model_label if model_label != NONE and p >= lenient else NONE


def report(rows: list[dict], preds: list[tuple[str, float]], by_file: bool = False) -> None:
    if by_file:
        for name in TRAINING:
            part = [i for i, r in enumerate(rows) if r["file"] == name]
            if any(rows[i]["y"] != NONE for i in part):
                print(f"  {name}:")
                report([rows[i] for i in part], [preds[i] for i in part])
        return
    intent_rows = [i for i, r in enumerate(rows) if r["y"] != NONE]
    service_rows = [i for i, r in enumerate(rows) if r["service"]]

    def score(got: list[str]) -> str:
        right = sum(got[i].split(":")[0] == rows[i]["y"].split(":")[0] for i in intent_rows)
        topic = sum(got[i] == rows[i]["y"] for i in intent_rows)
        false = sum(got[i] != NONE for i in service_rows)
        return (f"intents right {right}/{len(intent_rows)} = {right / max(1, len(intent_rows)):.3f} (with topic "
                f"{topic / max(1, len(intent_rows)):.3f}); services taken for an intent {false}/{len(service_rows)}")

    rules = [NONE if r["rule"] in ("greeting", "thanks") else r["rule"] if r["rule"] != NONE or r["found"]
             else r["rule_lenient"] for r in rows]
    print(f"    rules alone:                 {score(rules)}")
    for strict, lenient in THRESHOLDS:
        got = [combined(r, lab, p, strict, lenient) for r, (lab, p) in zip(rows, preds)]
        print(f"    + model p>={strict:.1f} / {lenient:.1f} lenient:  {score(got)}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cv-only", action="store_true")
    ap.add_argument("--show", choices=["tuning", "all"], help="print the messages cross-validation gets wrong")
    args = ap.parse_args(argv)
    engine = SearchEngine(load_kb(strict=False))
    rows = collect(engine)
    classes = [NONE] + sorted({r["y"] for r in rows} - {NONE})
    print(f"examples: {len(rows)}; " + ", ".join(f"{c} {sum(r['y'] == c for r in rows)}" for c in classes))

    print("leave-one-file-out cross-validation:")
    preds: list[tuple[str, float]] = [(NONE, 0.0)] * len(rows)
    for name in TRAINING:
        test = [i for i, r in enumerate(rows) if r["file"] == name]
        vocab, w, b = fit([r for r in rows if r["file"] != name], classes)
        model = ({f: i for i, f in enumerate(vocab)}, w, b)
        for i in test:
            k, p = predict(model, rows[i]["feats"])
            preds[i] = (classes[k], p)
    report(rows, preds)
    report(rows, preds, by_file=True)
    if args.show:
        for r, (lab, p) in zip(rows, preds):
            got = combined(r, lab, p, MODEL_SURE, MODEL_LENIENT)
            if got != r["y"] and (r["service"] or r["y"] != NONE) and (args.show == "all" or "heldout" not in r["file"]):
                print(f"  {r['file']:<28} expected {r['y']:<22} got {got:<22} {r['q'][:90]!r}")
    if args.cv_only:
        return 0

    vocab, w, b = fit(rows, classes)
    keep = np.abs(w).max(axis=1) >= KEEP
    weights = {f: [round(float(v), 3) for v in w[i]] for i, f in enumerate(vocab) if keep[i]}
    WEIGHTS_PATH.write_text(json.dumps({
        "note": "fitted by bench/fit_intents.py; do not edit by hand",
        "classes": classes, "bias": [round(float(v), 3) for v in b], "weights": weights,
    }, ensure_ascii=False, sort_keys=True, indent=0) + "\n", encoding="utf-8")
    print(f"wrote {WEIGHTS_PATH.relative_to(ROOT)}: {len(weights)} features of {len(vocab)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
