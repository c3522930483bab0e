"""Benchmark of the service search: accuracy per query kind, latency, start-up, memory.

Run:  .venv/bin/python bench/search_bench.py [--devset PATH] [--no-synthetic] [--misses N]

Compares our engine with a plain rapidfuzz baseline
(process.extract(query, titles, scorer=fuzz.WRatio, processor=default_process)
over service titles in the query's language), on the same dev set, in one run.
Latency is measured on the shipped KB and on a synthetic KB of 10,000 services
made by recombining real service texts (deterministic seed).
"""

from __future__ import annotations

import argparse
import gc
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402
from rapidfuzz import fuzz, process  # noqa: E402
from rapidfuzz.utils import default_process  # noqa: E402

from knowledge.loader import KnowledgeBase, load_kb  # noqa: E402
from knowledge.models import Synonyms, Text  # noqa: E402
from knowledge.search import SearchEngine  # noqa: E402
from knowledge.search.engine import clear_query_caches  # noqa: E402

DEVSET = ROOT / "bench" / "data" / "search_devset.yaml"
KIND_ORDER = ["plain", "colloquial", "inflected", "typo", "russian", "translit", "layout", "english", "situation"]


def rss_mb() -> tuple[float, float]:
    """(current RSS, peak RSS) of this process in MiB, from /proc/self/status."""
    cur = peak = 0.0
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                cur = int(line.split()[1]) / 1024
            elif line.startswith("VmHWM:"):
                peak = int(line.split()[1]) / 1024
    except OSError:
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return cur, peak


def load_devset(path: Path) -> list[dict]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [q for q in data.get("queries", []) if q.get("q") and q.get("expected")]


def query_lang(item: dict) -> str:
    return "en" if item.get("kind") == "english" else "uk"


# ---- the two engines ------------------------------------------------------


def ours(engine: SearchEngine):
    def run(q: str, lang: str) -> list[str]:
        return [h.id for h in engine.search(q, lang=lang, limit=3)]

    return run


def baseline(kb: KnowledgeBase):
    ids = list(kb.services)
    titles = {lang: [kb.services[i].title.get(lang) for i in ids] for lang in ("uk", "en")}

    def run(q: str, lang: str) -> list[str]:
        res = process.extract(q, titles[lang], scorer=fuzz.WRatio, processor=default_process, limit=3)
        return [ids[idx] for _, _, idx in res]

    return run


def evaluate(run, items: list[dict]):
    per_kind: dict[str, list[tuple[bool, bool]]] = defaultdict(list)
    misses = []
    for it in items:
        got = run(it["q"], query_lang(it))
        exp = set(it["expected"])
        top1 = bool(got) and got[0] in exp
        top3 = any(g in exp for g in got[:3])
        per_kind[it.get("kind", "?")].append((top1, top3))
        if not top1:
            misses.append((it, got))
    return per_kind, misses


def print_accuracy(results: dict[str, dict]) -> None:
    names = list(results)
    kinds = [k for k in KIND_ORDER if any(k in r[0] for r in results.values())]
    kinds += sorted({k for r in results.values() for k in r[0]} - set(kinds))
    head = f"{'kind':<11} {'n':>4} " + " ".join(f"{n + ' top1':>15} {n + ' top3':>15}" for n in names)
    print(head)
    print("-" * len(head))
    totals = {n: [0, 0, 0] for n in names}
    for k in kinds:
        row = None
        cells = []
        for n in names:
            rows = results[n][0].get(k, [])
            row = len(rows)
            t1 = sum(a for a, _ in rows)
            t3 = sum(b for _, b in rows)
            totals[n][0] += row
            totals[n][1] += t1
            totals[n][2] += t3
            cells.append(f"{t1 / max(row, 1):>15.3f} {t3 / max(row, 1):>15.3f}")
        print(f"{k:<11} {row:>4} " + " ".join(cells))
    print("-" * len(head))
    n_all = totals[names[0]][0]
    print(f"{'overall':<11} {n_all:>4} " + " ".join(
        f"{totals[n][1] / max(n_all, 1):>15.3f} {totals[n][2] / max(n_all, 1):>15.3f}" for n in names))


# ---- latency --------------------------------------------------------------


def latencies(engine: SearchEngine, queries: list[tuple[str, str]], rounds: int) -> dict[str, list[float]]:
    """Per-query times in ms (engine.search, limit=5): wall clock and this process's CPU time,
    for the first pass ("cold") and the later passes ("warm").

    The first pass starts with every word cache empty (lemmas, keys, fuzzy
    look-ups), as for words a bot has never seen; later passes are warm. CPU
    time is reported too because wall time on a shared machine also counts
    the time other processes held the CPU.
    """
    clear_query_caches()
    out: dict[str, list[float]] = {"cold": [], "warm": [], "cold_cpu": [], "warm_cpu": []}
    for r in range(rounds):
        label = "cold" if r == 0 else "warm"
        for q, lang in queries:
            c = time.process_time_ns()
            t = time.perf_counter_ns()
            engine.search(q, lang=lang, limit=5)
            out[label].append((time.perf_counter_ns() - t) / 1e6)
            out[label + "_cpu"].append((time.process_time_ns() - c) / 1e6)
    return out


def pct(xs: list[float], p: float) -> float:
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def print_latency(label: str, t: dict[str, list[float]]) -> None:
    print(f"{label}  (queries: {len(t['cold'])} cold + {len(t['warm'])} warm)")
    for kind in ("cold", "warm"):
        wall, cpu = t[kind], t[kind + "_cpu"]
        print(f"    {kind:<4}  wall p50 {pct(wall, 50):6.3f} ms  p99 {pct(wall, 99):6.3f} ms  max {max(wall):6.3f} ms"
              f"   | CPU p50 {pct(cpu, 50):6.3f} ms  p99 {pct(cpu, 99):6.3f} ms")


# ---- synthetic KB -----------------------------------------------------------


def synthetic_kb(kb: KnowledgeBase, n: int, seed: int = 20261123) -> KnowledgeBase:
    """n services recombined from real ones: titles, synonyms, summaries and checklists mixed."""
    rng = random.Random(seed)
    real = list(kb.services.values())
    title_words = {lang: [w for s in real for w in s.title.get(lang).split()] for lang in ("uk", "en")}
    syns = {lang: [x for s in real for x in getattr(s.synonyms, lang)] for lang in ("uk", "ru", "en")}
    services = {}
    for i in range(n):
        base = rng.choice(real)
        other = rng.choice(real)
        title = Text(
            uk=" ".join(rng.sample(title_words["uk"], k=rng.randint(3, 8))),
            en=" ".join(rng.sample(title_words["en"], k=rng.randint(3, 8))),
        )
        summary = Text(uk=base.summary.uk + " " + other.summary.uk, en=base.summary.en + " " + other.summary.en)
        synonyms = Synonyms(**{lang: rng.sample(pool, k=min(len(pool), rng.randint(2, 8))) for lang, pool in syns.items()})
        docs = list(base.documents) + [d for d in other.documents if d.id not in {x.id for x in base.documents}]
        sid = f"synthetic-{i:05d}"
        services[sid] = base.model_copy(update={
            "id": sid, "title": title, "summary": summary, "synonyms": synonyms, "documents": docs, "related": [],
        })
    return KnowledgeBase(community=kb.community, offices=kb.offices, categories=kb.categories,
                         services=services, situations={}, files={})


# ---- main -------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--devset", type=Path, default=DEVSET)
    ap.add_argument("--no-synthetic", action="store_true", help="skip the 10,000-service latency run")
    ap.add_argument("--synthetic-size", type=int, default=10_000)
    ap.add_argument("--misses", type=int, default=1000, help="how many misses to print")
    args = ap.parse_args(argv)

    t_all = time.perf_counter()
    rss0, _ = rss_mb()
    t = time.perf_counter()
    kb = load_kb(strict=False)
    t_load = time.perf_counter() - t
    t = time.perf_counter()
    engine = SearchEngine(kb)
    t_build = time.perf_counter() - t
    rss1, peak1 = rss_mb()
    items = load_devset(args.devset)

    print(f"KB: {len(kb.services)} services, {len(kb.situations)} situations; dev set: {len(items)} queries ({args.devset.name})")
    print()
    print("== Accuracy (top-1 / top-3 share of queries whose expected id is ranked first / in the first three)")
    res_ours = evaluate(ours(engine), items)
    res_base = evaluate(baseline(kb), items)
    print_accuracy({"engine": res_ours, "baseline": res_base})
    print("baseline = rapidfuzz process.extract(query, service titles in the query's language, WRatio, default_process)")

    print()
    print(f"== Misses of the engine (top-1 wrong): {len(res_ours[1])}")
    for it, got in res_ours[1][: args.misses]:
        in3 = "top3" if any(g in set(it["expected"]) for g in got[:3]) else "MISS"
        print(f"  [{it.get('kind', '?'):<10}] {in3} {it['q']!r}: expected {it['expected']} got {got}")

    print()
    print("== Latency per query (engine.search, limit=5)")
    queries = [(it["q"], query_lang(it)) for it in items]
    fresh = SearchEngine(kb)  # its per-engine caches are empty: the first pass is honest
    print_latency(f"shipped KB ({len(kb.services)} services, {len(kb.situations)} situations)",
                  latencies(fresh, queries, rounds=3))
    print(f"start-up: load KB {t_load * 1000:.0f} ms, build index {t_build * 1000:.0f} ms "
          f"(incl. loading the uk/ru dictionaries); process RSS {rss0:.0f} MiB at start -> {rss1:.0f} MiB with KB and index "
          f"(peak {peak1:.0f} MiB)")

    if not args.no_synthetic and kb.services:
        big_kb = synthetic_kb(kb, args.synthetic_size)
        gc.collect()
        rss_kb, _ = rss_mb()
        t = time.perf_counter()
        big = SearchEngine(big_kb)
        t_big = time.perf_counter() - t
        gc.collect()
        rss2, peak2 = rss_mb()
        print_latency(f"synthetic KB ({len(big_kb.services)} services)", latencies(big, queries, rounds=2))
        print(f"synthetic start-up: build index {t_big * 1000:.0f} ms; vocabulary {len(big.index.vocab)} keys, "
              f"{len(big.index.units)} names; RSS {rss_kb:.0f} MiB with the synthetic KB loaded -> {rss2:.0f} MiB "
              f"with its index (index ~{rss2 - rss_kb:.0f} MiB; peak {peak2:.0f} MiB)")
    print()
    print(f"bench finished in {time.perf_counter() - t_all:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
