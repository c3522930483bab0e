"""How much of an evaluation set the training data already holds, and the part it does not.

Every labelled set here was written by a helper from a similar prompt, so short messages («субсидія»,
«що ти вмієш», «123», «яка погода завтра») recur across sets. A held-out message that is (nearly) a training
message measures memory, not understanding. This prints, by kind, how many messages of SET have a training
message at least --similar alike (rapidfuzz ratio, case folded), and with --write PATH saves the others —
the novel part — as a set for `bench/search_bench.py --only --devset PATH`.

Run:  .venv/bin/python bench/overlap.py bench/data/search_heldout_12.yaml --write /tmp/search_heldout_12_novel.yaml
(the benchmark never prints the misses of a set whose file name says "heldout": keep it in the name).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import yaml
from rapidfuzz import fuzz, process

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
import labelled_sets  # noqa: E402


def training_messages() -> list[str]:
    """Every message any of the three models is fitted on."""
    names = labelled_sets.SEARCH + labelled_sets.OFF_TOPIC + labelled_sets.INTENTS
    return [it["q"].casefold() for name in names
            for it in yaml.safe_load((ROOT / "bench" / "data" / name).read_text(encoding="utf-8"))["queries"]]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("set", type=Path)
    ap.add_argument("--similar", type=float, default=90.0, help="ratio (0-100) from which two messages count as one")
    ap.add_argument("--write", type=Path, help="save the messages without such a training message here")
    args = ap.parse_args(argv)
    if args.write and "heldout" in args.set.name and "heldout" not in args.write.name:
        ap.error("the part of a held-out set must keep 'heldout' in its file name (its misses stay unprinted)")
    data = yaml.safe_load(args.set.read_text(encoding="utf-8"))
    train = training_messages()
    seen: Counter[str] = Counter()
    total: Counter[str] = Counter()
    novel = []
    for it in data["queries"]:
        kind = it.get("kind", "?")
        total[kind] += 1
        if process.extractOne(it["q"].casefold(), train, scorer=fuzz.ratio, score_cutoff=args.similar):
            seen[kind] += 1
        else:
            novel.append(it)
    print(f"{args.set.name}: {sum(seen.values())} of {sum(total.values())} messages have a training message at "
          f"least {args.similar:g} % alike")
    for kind in total:
        print(f"  {kind:<18} {seen[kind]:>3} of {total[kind]}")
    if args.write:
        args.write.write_text(yaml.safe_dump({"queries": novel}, allow_unicode=True, sort_keys=False), encoding="utf-8")
        print(f"wrote the {len(novel)} others to {args.write}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
