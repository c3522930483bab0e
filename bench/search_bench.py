"""Benchmark of the service search: accuracy per query kind, latency, start-up, memory.

Run:  .venv/bin/python bench/search_bench.py [--devset PATH ...] [--only] [--no-synthetic] [--misses N]

Measures every set of bench/data (dev, tuning, off-topic, intents, the held-out
sets old and new), then every --devset given (repeatable; --only: just those). Per set and query kind: top-1/top-3 of the ranking,
verdict-aware top-1 of `answer()` (found/clarify with the right id first;
for `expected: []` the right outcome is verdict "none" with no intent other
than greeting/thanks; `intent:*` items need the right intent), the share
answered confidently; then the off-topic share answered confidently, the
in-scope share answered confidently and the intent accuracy. Misses are
printed for tuning sets only, never for held-out sets.

Compares our engine with a plain rapidfuzz baseline
(process.extract(query, titles, scorer=fuzz.WRatio, processor=default_process)
over service titles in the query's language), on the same sets, in one run.
Latency is measured on the shipped KB and on a synthetic KB of 10,000 services
made by recombining real service texts (deterministic seed).
"""

from __future__ import annotations

import argparse
import gc
import random
import sys
import time
from dataclasses import dataclass
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

DATA = ROOT / "bench" / "data"
DEVSET = DATA / "search_devset.yaml"
KIND_ORDER = ["plain", "colloquial", "inflected", "typo", "russian", "translit", "layout", "english", "situation",
              "narrative", "voice", "question", "surzhyk", "slang", "elderly"]
BASELINE_CONFIDENT = 85.0  # WRatio score from which the baseline would call its top title an answer
NOT_AN_ANSWER = {None, "greeting", "thanks"}  # intents that are a fine outcome for an off-topic message


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
    """Items with a query and an `expected` list; an empty list means "the right answer is: none"."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [q for q in data.get("queries", []) if q.get("q") and q.get("expected") is not None]


def query_lang(item: dict) -> str:
    return "en" if item.get("kind") == "english" else "uk"


def is_held_out(path: Path) -> bool:
    """Held-out sets are measured, never looked into: their misses are not printed."""
    return "heldout" in path.name


# ---- the two engines ------------------------------------------------------
# Each returns (ranked ids, verdict, intent, contact topic, app number).


def ours(engine: SearchEngine):
    def run(q: str, lang: str):
        ranked = [h.id for h in engine.search(q, lang=lang, limit=3)]
        a = engine.answer(q, lang=lang)
        return ranked, a.verdict, a.intent, a.contact_topic, a.app_number, [h.id for h in a.hits[:3]]

    return run


def baseline(kb: KnowledgeBase):
    ids = list(kb.services)
    titles = {lang: [kb.services[i].title.get(lang) for i in ids] for lang in ("uk", "en")}

    def run(q: str, lang: str):
        res = process.extract(q, titles[lang], scorer=fuzz.WRatio, processor=default_process, limit=3)
        ranked = [ids[idx] for _, _, idx in res]
        verdict = "found" if res and res[0][1] >= BASELINE_CONFIDENT else "none"
        return ranked, verdict, None, None, None, ranked if verdict == "found" else []

    return run


@dataclass
class Row:
    kind: str
    scope: str  # "service" | "intent" | "none"
    top1: bool  # ranking (search) top-1 right; intents: intent right; "none" items: verdict right
    top3: bool
    vtop1: bool  # verdict-aware: answered (found/clarify/maybe) with the right id first (intents / none as for top1)
    answered: bool  # answered with services: verdict found, clarify or maybe, and (in scope) no intent before them
    detail_ok: bool  # intents: contact topic / number right too
    item: dict
    got: tuple


def judge(item: dict, got) -> Row:
    ranked, verdict, intent, topic, number, shown = got
    exp = item["expected"]
    answered = verdict != "none"
    if not exp:
        ok = verdict == "none" and intent in NOT_AN_ANSWER
        return Row(item.get("kind", "?"), "none", ok, ok, ok, answered, ok, item, got)
    if exp[0].startswith("intent:"):
        ok = intent == exp[0].split(":", 1)[1]
        detail = ok and topic == item.get("topic") if ok and intent == "cnap-contacts" else ok
        if ok and intent == "status-lookup":
            detail = number == item.get("number")
        return Row(item.get("kind", "?"), "intent", ok, ok, ok, answered, detail, item, got)
    want = set(exp)
    top1 = bool(ranked) and ranked[0] in want
    top3 = any(r in want for r in ranked[:3])
    # The bot answers an intent before the search: a service question taken for one gets no services.
    answered = answered and intent in NOT_AN_ANSWER
    vtop1 = answered and bool(shown) and shown[0] in want
    return Row(item.get("kind", "?"), "service", top1, top3, vtop1, answered, vtop1, item, got)


def evaluate(run, items: list[dict]) -> list[Row]:
    return [judge(it, run(it["q"], query_lang(it))) for it in items]


def _share(rows: list[Row], attr: str) -> float:
    return sum(getattr(r, attr) for r in rows) / max(len(rows), 1)


def print_accuracy(results: dict[str, list[Row]]) -> None:
    names = list(results)
    first = results[names[0]]
    kinds = [k for k in KIND_ORDER if any(r.kind == k for r in first)]
    kinds += sorted({r.kind for r in first} - set(kinds))
    cols = ("top1", "top3", "vtop1", "conf")
    head = f"{'kind':<11} {'n':>4} " + "  ".join(" ".join(f"{c:>6}" for c in cols) + f" {'(' + n + ')':<10}" for n in names)
    print(head)
    print("-" * len(head))

    def line(label: str, pick) -> None:
        cells = []
        for n in names:
            rows = [r for r in results[n] if pick(r)]
            cells.append(" ".join(f"{_share(rows, a):>6.3f}" for a in ("top1", "top3", "vtop1", "answered")) + " " * 11)
        print(f"{label:<11} {sum(1 for r in first if pick(r)):>4} " + "  ".join(cells))

    for k in kinds:
        line(k, lambda r, k=k: r.kind == k)
    print("-" * len(head))
    line("overall", lambda r: True)


def _verdicts(rows: list[Row], *verdicts: str) -> float:
    return sum(r.got[1] in verdicts for r in rows) / max(len(rows), 1)


def print_summary(name: str, rows: list[Row]) -> None:
    services = [r for r in rows if r.scope == "service"]
    nones = [r for r in rows if r.scope == "none"]
    intents = [r for r in rows if r.scope == "intent"]
    parts = []
    if services:
        parts.append(f"in-scope: top-1 {_share(services, 'top1'):.3f}, top-3 {_share(services, 'top3'):.3f}, "
                     f"verdict-aware top-1 {_share(services, 'vtop1'):.3f}, answered with services "
                     f"{_share(services, 'answered'):.3f} (found or clarify {_verdicts(services, 'found', 'clarify'):.3f}, "
                     f"maybe {_verdicts(services, 'maybe'):.3f})")
    if nones:
        near = [r for r in nones if r.kind == "near-miss"]
        other = [r for r in nones if r.kind != "near-miss"]
        parts.append(f"off-topic/junk answered with services: {_share(other, 'answered'):.3f} "
                     f"({sum(r.answered for r in other)}/{len(other)}, of them maybe "
                     f"{sum(r.got[1] == 'maybe' for r in other)})")
        if near:
            parts.append(f"near misses answered with services: {sum(r.answered for r in near)}/{len(near)} "
                         f"(maybe {sum(r.got[1] == 'maybe' for r in near)})")
    if intents:
        parts.append(f"intent accuracy {_share(intents, 'top1'):.3f}, with topic/number {_share(intents, 'detail_ok'):.3f}"
                     f" (n={len(intents)})")
    print(f"  {name}: " + "; ".join(parts))


def print_misses(rows: list[Row], limit: int) -> None:
    bad = [r for r in rows if not (r.vtop1 and r.detail_ok)]
    print(f"== Misses of the engine (verdict-aware): {len(bad)}")
    for r in bad[:limit]:
        ranked, verdict, intent, topic, number, shown = r.got
        in3 = "top3" if r.top3 else "MISS"
        print(f"  [{r.kind:<10}] {in3} {verdict:<7} {r.item['q'][:90]!r}: expected {r.item['expected']}"
              f"{' ' + str(r.item.get('topic') or r.item.get('number') or '') if r.scope == 'intent' else ''}"
              f" got {shown or ranked} intent={intent}{'/' + str(topic or number) if intent else ''}")


# ---- latency --------------------------------------------------------------


def latencies(engine: SearchEngine, queries: list[tuple[str, str]], rounds: int) -> dict[str, list[float]]:
    """Per-query times in ms (engine.answer, what the bot calls): wall clock and this process's CPU time,
    for the first pass ("cold") and the later passes ("warm").

    The first pass starts with every word cache empty (lemmas, keys, fuzzy
    look-ups), as for words a bot has never seen; later passes are warm. CPU
    time is reported too because wall time on a shared machine also counts
    the time other processes held the CPU.
    """
    clear_query_caches()
    engine.matcher.clear_cache()  # the engine's own cache of fuzzy matches too
    out: dict[str, list[float]] = {"cold": [], "warm": [], "cold_cpu": [], "warm_cpu": []}
    for r in range(rounds):
        label = "cold" if r == 0 else "warm"
        for q, lang in queries:
            c = time.process_time_ns()
            t = time.perf_counter_ns()
            engine.answer(q, lang=lang)
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
    ap.add_argument("--devset", type=Path, action="append", default=[],
                    help="an extra set to measure (repeatable); every set of bench/data is measured unless --only")
    ap.add_argument("--only", action="store_true", help="measure only the --devset sets")
    ap.add_argument("--no-synthetic", action="store_true", help="skip the 10,000-service latency run")
    ap.add_argument("--synthetic-size", type=int, default=10_000)
    ap.add_argument("--misses", type=int, default=1000, help="how many misses to print (never for held-out sets)")
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
    every = [DEVSET, *sorted(p for p in DATA.glob("search_*.yaml") if p != DEVSET)]
    paths = list(dict.fromkeys(([] if args.only else every) + [p.resolve() for p in args.devset]))
    sets = {p: load_devset(p) for p in paths}

    print(f"KB: {len(kb.services)} services, {len(kb.situations)} situations")
    print("columns: top1/top3 = expected id ranked first / in the first three by search(); intents: the intent is right;"
          " off-topic: the verdict is none")
    print("         vtop1 = answer(): answered (found/clarify/maybe) with the right id first; conf = share answered with"
          " services (found, clarify or maybe)")
    print(f"baseline = rapidfuzz process.extract(query, service titles in the query's language, WRatio, default_process),"
          f" confident from score {BASELINE_CONFIDENT:.0f}")
    summaries = []
    for path, items in sets.items():
        print()
        known = [it for it in items if all(e.startswith("intent:") or e.split(":", 1)[-1] in kb.services
                                           or e.split(":", 1)[-1] in kb.situations for e in it["expected"])]
        skipped = len(items) - len(known)
        print(f"== {path.name}: {len(known)} queries" + (f" ({skipped} skipped: ids not in this KB yet)" if skipped else ""))
        if not known:
            continue
        res_ours = evaluate(ours(engine), known)
        res_base = evaluate(baseline(kb), known)
        print_accuracy({"engine": res_ours, "baseline": res_base})
        summaries.append((path.name, res_ours, res_base))
        if not is_held_out(path) and args.misses:
            print_misses(res_ours, args.misses)
    print()
    print("== Summary")
    for name, res_ours, res_base in summaries:
        print_summary(name + " [engine]", res_ours)
        print_summary(name + " [baseline]", res_base)

    print()
    print("== Latency per message (engine.answer)")
    queries = [(it["q"], query_lang(it)) for items in sets.values() for it in items]
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
