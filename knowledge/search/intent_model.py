"""Questions about the CNAP, the bot or a person, recognised by a model learnt from examples.

The word classes of intents.py recognise the common phrasings exactly; people find many more
(«скиньте локацію», «тролейбус до вас ходить?», «шо за бот такий»). This model is a multinomial
logistic regression over simple features of a message, fitted by `bench/fit_intents.py` on the labelled
messages of `bench/data` (services, off-topic and intents alike) and shipped as `intent_weights.json`:

* the word classes of every word (``c:address``) — they carry the hand-made vocabulary to new phrasings;
* the folded lemma of every word (``k:локація``) — what the examples add to it;
* the shape of the message: how many words it has, and how many of them the knowledge base knows and
  the word classes do not explain (``kb:2``: «субсидія», «паспорт» — a message about a service).

Latin messages are read as typed, transliterated and re-typed on the Ukrainian layout («lt wyfg» =
«де цнап»); the features of all readings are pooled.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from knowledge.search.analysis import word_keys
from knowledge.search.intents import word_classes
from knowledge.search.stopwords import is_filler, is_stop_word

WEIGHTS_PATH = Path(__file__).with_name("intent_weights.json")
NONE = "none"


def _bucket(n: int, top: int) -> str:
    return str(n) if n < top else f"{top}+"


@lru_cache(maxsize=50_000)
def _word_features(token: str) -> tuple[tuple[str, ...], bool]:
    """(features of one word, whether a word class explains it)."""
    classes = word_classes(token)
    keys = ("<digits>",) if token.isdigit() else word_keys(token)[:1]
    return tuple(f"c:{c}" for c in sorted(classes)) + tuple(f"k:{k}" for k in keys), bool(classes)


def clear_caches() -> None:
    _word_features.cache_clear()


def message_features(readings: Iterable[tuple[str, ...]], in_kb: Callable[[str], bool]) -> set[str]:
    """Features of one message given its readings (token tuples, the typed one first)."""
    out: set[str] = set()
    for i, tokens in enumerate(readings):
        kb_words = 0
        for tok in tokens:
            feats, explained = _word_features(tok)
            out.update(feats)
            if not explained and not tok.isdigit() and not is_stop_word(tok) and not is_filler(tok) and in_kb(tok):
                kb_words += 1
        if i == 0:
            out.add("len:" + _bucket(len(tokens), 12))
        out.add("kb:" + _bucket(kb_words, 3))
    return out


@dataclass(frozen=True)
class IntentModel:
    classes: tuple[str, ...]  # "none", "about-bot", "human", "status-lookup", "cnap-contacts:<topic|all>"
    bias: tuple[float, ...]
    weights: dict[str, tuple[float, ...]]

    @classmethod
    def load(cls, path: Path = WEIGHTS_PATH) -> IntentModel:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(tuple(data["classes"]), tuple(data["bias"]),
                   {f: tuple(w) for f, w in data["weights"].items()})

    def probabilities(self, features: Iterable[str]) -> dict[str, float]:
        z = list(self.bias)
        for f in features:
            w = self.weights.get(f)
            if w is not None:
                z = [a + b for a, b in zip(z, w)]
        top = max(z)
        e = [math.exp(v - top) for v in z]
        s = sum(e)
        return {c: v / s for c, v in zip(self.classes, e)}

    def predict(self, features: Iterable[str]) -> tuple[str, float]:
        """(the likeliest class, its probability)."""
        probs = self.probabilities(features)
        best = max(probs, key=probs.__getitem__)
        return best, probs[best]


__all__ = ["IntentModel", "message_features", "clear_caches", "NONE", "WEIGHTS_PATH"]
