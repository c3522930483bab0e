"""Which service do people mean with these words? A model learnt from labelled messages.

The scoring of scoring.py knows only the knowledge base's own words. People describe their need in words
the cards do not use («прийняли до себе родину» for the compensation to hosts, «годують у школі» for school
meals). This model learns such words from the labelled messages of bench/data (each written by someone
else, in every style of the issue: stories, surzhyk, Russian, translit...) and from the KB's own names.

It is a multinomial naive Bayes over the lemma keys of a message (the `k:` features of
intent_model.message_features, so Latin messages count by all their readings). The engine asks it only to
order candidates the scoring already finds close (engine.RERANK_CLOSE): it never brings a service the KB
words did not find, and it never changes how sure the verdict is of the scores.

The counts from labelled messages are fitted by bench/fit_services.py (service_counts.json); the KB part is
counted from the KB when the engine starts, so a community's own cards and synonyms take part. The labelled
messages are about the bundled KB's services: a service a community adds gets the KB part only (until
messages about it are labelled), and counts of ids its KB does not have are never asked for.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

COUNTS_PATH = Path(__file__).with_name("service_counts.json")
ALPHA = 0.5  # additive smoothing
KB_NAME_WEIGHT = 0.5  # a title or synonym of the KB counts as half a labelled message
PREFIX = "k:"


def key_features(features: Iterable[str]) -> frozenset[str]:
    """The lemma keys among a message's features (intent_model.message_features)."""
    return frozenset(f for f in features if f.startswith(PREFIX))


class ServiceModel:
    """log P(words | service) for the candidates of one message; counts per service id."""

    def __init__(self, counts: dict[str, dict[str, float]]) -> None:
        total = {c: sum(fs.values()) for c, fs in counts.items()}
        vocab = len({f for fs in counts.values() for f in fs}) or 1
        # log P(f | c) = log(count + ALPHA) - log(n_c + ALPHA * V): kept as the default for an unseen word
        # and, per word seen with the service, what it adds over that default.
        self._unseen = {c: -math.log(total[c] + ALPHA * vocab) + math.log(ALPHA) for c in counts}
        self._gain: dict[str, dict[str, float]] = defaultdict(dict)
        for c, fs in counts.items():
            for f, n in fs.items():
                self._gain[f][c] = math.log((n + ALPHA) / ALPHA)
        self._gain = dict(self._gain)
        self._floor = -math.log(ALPHA * vocab) + math.log(ALPHA)  # a service nobody wrote about

    @classmethod
    def build(cls, names: Iterable[tuple[str, Iterable[str]]],
              messages: dict[str, dict[str, float]] | None = None) -> ServiceModel:
        """Counts of labelled messages (the shipped COUNTS_PATH unless given: `count_messages`) plus the KB's
        names, each KB_NAME_WEIGHT of a message: (hit id, the name's lemma keys)."""
        if messages is None:
            messages = json.loads(COUNTS_PATH.read_text(encoding="utf-8"))["counts"] if COUNTS_PATH.exists() else {}
        counts: dict[str, dict[str, float]] = {c: dict(fs) for c, fs in messages.items()}
        for hit_id, keys in names:
            own = counts.setdefault(hit_id, {})
            for k in keys:
                own[PREFIX + k] = own.get(PREFIX + k, 0.0) + KB_NAME_WEIGHT
        return cls(counts)

    def posteriors(self, features: frozenset[str], candidates: list[str]) -> dict[str, float]:
        """P(candidate | words), the candidates alone sharing the probability (a flat prior)."""
        if not candidates:
            return {}
        logs = {}
        for c in candidates:
            s = len(features) * self._unseen.get(c, self._floor)
            for f in features:
                g = self._gain.get(f)
                if g is not None:
                    s += g.get(c, 0.0)
            logs[c] = s
        top = max(logs.values())
        e = {c: math.exp(v - top) for c, v in logs.items()}
        z = sum(e.values())
        return {c: v / z for c, v in e.items()}


def count_messages(examples: Iterable[tuple[Iterable[str], Iterable[str]]]) -> dict[str, dict[str, float]]:
    """Counts of lemma keys per service id from (expected ids, message features); a message meaning two
    services counts half for each."""
    counts: dict[str, dict[str, float]] = defaultdict(dict)
    for expected, features in examples:
        ids = list(expected)
        for c in ids:
            own = counts[c]
            for f in key_features(features):
                own[f] = own.get(f, 0.0) + 1.0 / len(ids)
    return dict(counts)


__all__ = ["ServiceModel", "count_messages", "key_features", "COUNTS_PATH"]
