"""Which service do people mean with these words? A model learnt from labelled messages.

The scoring of scoring.py knows only the knowledge base's own words. People describe their need in words
the cards do not use («прийняли до себе родину» for the compensation to hosts, «годують у школі» for school
meals). This model learns such words from the labelled messages of bench/data (each written by someone
else, in every style of the issue: stories, surzhyk, Russian, translit...) and from the KB's own names.

It is a multinomial naive Bayes over the lemma keys of a message (the `k:` features of
intent_model.message_features, so Latin messages count by all their readings; stop words left out). For
the ranking, the engine asks it to order candidates the scoring already finds close (engine.RERANK_CLOSE),
and, from its likeliest service (`weigh`): to offer it third when the scoring ranked it lower or missed
it (engine.MODEL_CANDIDATE), to put it first when surer still and among the candidates
(engine.MODEL_FIRST), and to ask about it when nothing else convinced (engine.MODEL_MAYBE). The places
keep their scores.

The same counts with one more class — the messages that are about none of our services (off-topic, junk,
near misses) — answer `ServiceModel.scope`: how likely the words are those of the first candidate rather
than of any other service or of a message about none. It is evidence for the confidence of the verdict
(confidence.py): the scoring finds a card for «коли закінчиться війна» through one word, but its words are
mostly those of messages about none of the services.

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
from typing import NamedTuple

from knowledge.search.stopwords import STOP_WORDS

COUNTS_PATH = Path(__file__).with_name("service_counts.json")
ALPHA = 0.5  # additive smoothing
KB_NAME_WEIGHT = 0.5  # a title or synonym of the KB counts as half a labelled message
PREFIX = "k:"
OFF_TOPIC = "(off-topic)"  # the class of messages about none of the services (never a hit id)


def key_features(features: Iterable[str]) -> frozenset[str]:
    """The lemma keys among a message's features (intent_model.message_features), stop words left out:
    «де», «як», «мені» say nothing of the service, yet a class of many short questions (the near misses'
    «де купити…») would take them for its own."""
    return frozenset(f for f in features if f.startswith(PREFIX) and f[len(PREFIX):] not in STOP_WORDS)


class ServiceModel:
    """log P(words | service) for the candidates of one message; counts per service id. With the counts of
    the messages about none of the services (`off_topic`) it answers `scope` too."""

    def __init__(self, counts: dict[str, dict[str, float]], off_topic: dict[str, float] | None = None,
                 labelled: Iterable[str] = ()) -> None:
        """`labelled`: the ids people's messages were counted for; the others have only the KB's names."""
        vocab = {f for fs in counts.values() for f in fs}
        # log P(f | c) = log(count + ALPHA) - log(n_c + ALPHA * V): kept as the default for an unseen word
        # and, per word seen with the service, what it adds over that default (the same in both models:
        # only the defaults of the scope model, whose vocabulary has the off-topic words too, differ).
        self._unseen, self._floor = _defaults(counts, len(vocab))
        every = {**counts, OFF_TOPIC: off_topic or {}}
        self._scope_unseen, self._scope_floor = _defaults(every, len(vocab | set(off_topic or ())))
        # The scope weighs every labelled class against each other; a class with only KB names (a
        # community's own service) takes part as a candidate. Their gains are kept apart, so the scope of a
        # KB of thousands of cards costs what the labelled classes cost.
        self._labelled = frozenset(labelled) | {OFF_TOPIC}
        self._labelled_unseen = {c: u for c, u in self._scope_unseen.items() if c in self._labelled}
        self._gain: dict[str, dict[str, float]] = defaultdict(dict)  # labelled classes
        self._other_gain: dict[str, dict[str, float]] = defaultdict(dict)  # classes with only the KB's names
        same: dict[float, float] = {}  # counts repeat (1, 0.5, 2…): one float object per gain value
        for c, fs in every.items():
            gains = self._gain if c in self._labelled else self._other_gain
            for f, n in fs.items():
                gains[f][c] = same.setdefault(n, math.log((n + ALPHA) / ALPHA))
        self._gain, self._other_gain = dict(self._gain), dict(self._other_gain)

    @classmethod
    def build(cls, names: Iterable[tuple[str, Iterable[str]]], messages: dict[str, dict[str, float]] | None = None,
              off_topic: dict[str, float] | None = None) -> ServiceModel:
        """Counts of labelled messages (`count_messages`; `count_off_topic` for those about none of the
        services) plus the KB's names, each KB_NAME_WEIGHT of a message: (hit id, the name's lemma keys).
        Without `messages`, the shipped counts (COUNTS_PATH). Counts of ids the KB's names do not have are
        left out (a service this community does not offer never competes), unless no names are given."""
        own_copy = messages is None  # the shipped counts are read for this model alone: no copy needed
        if messages is None:
            messages, off_topic = shipped_counts()
        names = list(names)
        ids = {hit_id for hit_id, _ in names}
        counts: dict[str, dict[str, float]] = {c: fs if own_copy else dict(fs) for c, fs in messages.items()
                                               if not ids or c in ids}
        labelled = set(counts)
        for hit_id, keys in names:
            own = counts.setdefault(hit_id, {})
            for k in keys:
                own[PREFIX + k] = own.get(PREFIX + k, 0.0) + KB_NAME_WEIGHT
        return cls(counts, off_topic, labelled)

    def _gains(self, c: str) -> dict[str, dict[str, float]]:
        return self._gain if c in self._labelled else self._other_gain

    def posteriors(self, features: frozenset[str], candidates: list[str]) -> dict[str, float]:
        """P(candidate | words), the candidates alone sharing the probability (a flat prior)."""
        if not candidates:
            return {}
        logs = {}
        words = sorted(features)  # one order, so the sums (and so the answers) do not depend on hashing
        for c in candidates:
            s = len(words) * self._unseen.get(c, self._floor)
            gains = self._gains(c)
            for f in words:
                g = gains.get(f)
                if g is not None:
                    s += g.get(c, 0.0)
            logs[c] = s
        top = max(logs.values())
        e = {c: math.exp(v - top) for c, v in logs.items()}
        z = sum(e.values())
        return {c: v / z for c, v in e.items()}

    def scope(self, features: frozenset[str], first: str, candidates: Iterable[str] = ()) -> tuple[float, float, float]:
        """(P(first | words, about a service), P(off-topic | words), P(first | words, first or off-topic))
        over the labelled services, the off-topic class and the `candidates`, with a flat prior."""
        return self.weigh(features, first, candidates).evidence

    def weigh(self, features: frozenset[str], first: str, candidates: Iterable[str] = ()) -> Weighing:
        """The scope of the first candidate (`scope`) and the labelled service these words are likeliest
        about, from one pass over the message's words."""
        words = sorted(features)  # one order, so the sums (and so the answers) do not depend on hashing
        n = len(words)
        logs = {c: n * u for c, u in self._labelled_unseen.items()}
        for f in words:
            for c, g in self._gain.get(f, {}).items():
                logs[c] += g
        likeliest = max((c for c in logs if c != OFF_TOPIC), key=logs.__getitem__, default=None)
        for c in (first, *candidates):
            if c not in logs:
                logs[c] = n * self._scope_unseen.get(c, self._scope_floor) + sum(
                    self._other_gain.get(f, {}).get(c, 0.0) for f in words)
        top = max(logs.values())
        z = sum(math.exp(v - top) for v in logs.values())
        p_first = math.exp(logs[first] - top) / z
        p_off = math.exp(logs[OFF_TOPIC] - top) / z
        return Weighing((p_first / (1.0 - p_off) if p_off < 1.0 else 0.0, p_off,
                         p_first / (p_first + p_off) if p_first + p_off > 0.0 else 0.0),
                        likeliest, math.exp(logs[likeliest] - top) / z if likeliest else 0.0)


class Weighing(NamedTuple):
    evidence: tuple[float, float, float]  # ServiceModel.scope of the first candidate
    likeliest: str | None  # the labelled service (or life situation) the words are likeliest about
    likeliest_p: float  # its probability among every labelled class, the off-topic one included


class Counts(NamedTuple):
    services: dict[str, dict[str, float]]  # per service id
    off_topic: dict[str, float]  # of the messages about none of the services


def shipped_counts() -> Counts:
    """The counts as fitted by bench/fit_services.py (COUNTS_PATH)."""
    data = json.loads(COUNTS_PATH.read_text(encoding="utf-8")) if COUNTS_PATH.exists() else {}
    return Counts(data.get("counts", {}), data.get("off_topic", {}))


def _defaults(counts: dict[str, dict[str, float]], vocab: int) -> tuple[dict[str, float], float]:
    """log P(an unseen word | c) per class, and for a class nobody wrote about (additive smoothing)."""
    vocab = vocab or 1
    unseen = {c: math.log(ALPHA) - math.log(sum(fs.values()) + ALPHA * vocab) for c, fs in counts.items()}
    return unseen, math.log(ALPHA) - math.log(ALPHA * vocab)


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


def count_off_topic(features_of_messages: Iterable[Iterable[str]]) -> dict[str, float]:
    """Counts of lemma keys in the messages about none of the services (the OFF_TOPIC class)."""
    return count_messages(([OFF_TOPIC], fs) for fs in features_of_messages).get(OFF_TOPIC, {})


__all__ = ["ServiceModel", "Weighing", "Counts", "count_messages", "count_off_topic", "shipped_counts", "key_features",
           "COUNTS_PATH", "OFF_TOPIC"]
