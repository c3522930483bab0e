"""How sure are we? The verdict of one search: found, clarify, or none.

The raw score alone cannot tell a short exact query from a long story that
mentions the service once, nor «рецепт борщу» from «рецепт на ліки». The
verdict uses evidence about the query and the best candidates:

* coverage — share of the query's content words (weight x idf) the
  candidate matches in any field; content words unknown to the KB but known
  to the dictionary («борщу», «війна закінчиться») say the person asks about
  something we do not cover;
* name coverage — the best share of one of the candidate's names (title or
  synonym) that the query contains: a story that contains «комуналку» and
  «субсидію» names the need even among twenty other words;
* margin — how far the first candidate is ahead of the second; close
  candidates that are both well supported make a "clarify";
* scope — the scope model (service_model.py), learnt from labelled messages:
  how likely the words are those of the first candidate rather than of any
  other service, and of a message about none of them.

Three bands: "found" (or "clarify" between close candidates) from
FOUND_CONFIDENCE; below it, down to MAYBE_CONFIDENCE, "maybe" — the first
candidates are offered as a question ("did you mean…?") with a way out to
the CNAP's contacts; below that, "none".
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from knowledge.search.answer import Verdict
from knowledge.search.index import SearchIndex
from knowledge.search.matching import STEM_SIM, QueryWord
from knowledge.search.morph import is_known

# Logistic model over `features()`, fitted by bench/fit_confidence.py on its TUNING sets (never an unspent
# held-out set), the service model (its ordering of close candidates and its scope) built without each
# message's own file.
FEATURE_NAMES = ("score", "margin", "coverage", "name_coverage", "name_words", "matched_share", "foreign_share",
                 "unmatched", "length", "long_name_words", "scope_first", "scope_off", "first_vs_off")
WEIGHTS = (1.611, 0.661, 1.301, 1.319, 1.609, 1.557, -1.485, -0.198, 0.235, 0.718, 2.413, -1.678, 3.179)
BIAS = -8.028

# The verdict's bands (chosen by the leave-one-file-out figures of bench/fit_confidence.py): from
# FOUND_CONFIDENCE the answer is "found" (or "clarify"); from MAYBE_CONFIDENCE "maybe" (asked as a
# question, with a way out); below it "none". With the service model's own "maybe" (engine.MODEL_MAYBE),
# 0.3 answers as many in-scope messages as 0.25 did without it, and fewer off-topic ones and near misses.
FOUND_CONFIDENCE = 0.5
MAYBE_CONFIDENCE = 0.3
CLOSE = 0.92  # candidates scoring this share of the first are as likely: "clarify" between them
CLOSE_SHORT = 0.85  # the same for a query of one or two content words («паспорт»): short words are ambiguous
MAX_CLARIFY = 3
TAIL = 0.5  # a found answer also shows candidates scoring at least this share of the first

MATCH_SIM = 0.75  # a query word "matches" a document through keys at least this similar
WEAK_SIM = 0.5  # below this similarity a word matches nothing
SHORT_QUERY = 3  # content words
CONTENT = 0.5  # query words weighing at least this are content words (not generic verbs)


@dataclass(frozen=True)
class Evidence:
    doc: int
    score: float  # 0..1
    coverage: float  # share of the query's content weight matched in any field
    name_coverage: float  # best share of one name's weight the query covers
    name_words: int  # content words that match one of the document's names


@dataclass(frozen=True)
class QueryShape:
    content: int  # content words
    matched: float  # content words matching something in the KB, each by its best similarity (typos count less)
    unmatched: int  # content words matching nothing well
    foreign: int  # real dictionary words the KB does not have (not even as a form or a related word)


def query_shape(words: list[QueryWord]) -> QueryShape:
    content = [w for w in words if w.weight >= CONTENT]
    best = [max((sim for _, sim in w.matches), default=0.0) for w in content]
    # A correctly spelt dictionary word that the KB only resembles («борщу» ~ «боргу») is another
    # word, not a typo: it names something the KB does not cover.
    foreign = [bool(b < STEM_SIM and w.token and not w.token.isdigit() and is_known(w.token)) for w, b in zip(content, best)]
    matched = sum(b for b, f in zip(best, foreign) if b >= WEAK_SIM and not f)
    unmatched = sum(b < WEAK_SIM or f for b, f in zip(best, foreign))
    return QueryShape(len(content), matched, unmatched, sum(foreign))


def named_words(idx: SearchIndex, words: list[QueryWord], d: int) -> frozenset[int]:
    """Indices of the content words of the query that one of document `d`'s names holds."""
    units = idx.docs[d].units
    out = set()
    for i, w in enumerate(words):
        if w.weight < CONTENT:
            continue
        for k, sim in w.matches:
            post = idx.name_post.get(k) if sim >= MATCH_SIM else None
            if post and any(u in post for u in units):
                out.add(i)
                break
    return frozenset(out)


def evidence(idx: SearchIndex, words: list[QueryWord], d: int, score: float) -> Evidence:
    units = idx.docs[d].units
    total = covered = 0.0
    name_words = 0
    unit_cov: dict[int, float] = {}
    for w in words:
        c = w.weight * w.idf
        total += c
        best = 0.0
        in_name = False
        for k, sim in w.matches:
            if sim < MATCH_SIM:
                continue
            post = idx.name_post.get(k)
            if post:
                for u in units:
                    pidf = post.get(u)
                    if pidf is not None:
                        in_name = True
                        best = max(best, sim)
                        unit_cov[u] = unit_cov.get(u, 0.0) + sim * pidf
            if best < sim and d in idx.desc_post.get(k, ()):
                best = max(best, sim * 0.8)
        covered += c * best
        if in_name and w.weight >= CONTENT:
            name_words += 1
    name_cov = max((min(1.0, v / idx.unit_total_idf[u]) for u, v in unit_cov.items()), default=0.0)
    return Evidence(d, score, covered / total if total else 0.0, name_cov, name_words)




def features(shape: QueryShape, first: Evidence | None, second_score: float,
             scope: tuple[float, float, float] | None) -> tuple[float, ...]:
    """The evidence as numbers for the confidence model (each roughly 0..1); `scope` is
    ServiceModel.scope for the first candidate."""
    if first is None or scope is None or shape.content == 0:
        return (0.0,) * len(WEIGHTS)
    c = shape.content
    return (
        first.score,
        first.score - second_score,
        first.coverage,
        first.name_coverage,
        min(first.name_words, 4) / 4,
        shape.matched / c,
        shape.foreign / c,
        min(shape.unmatched, 5) / 5,
        math.log1p(c) / math.log(20),
        # A story must name the service with several words, not mention it once.
        min(first.name_words, 4) / 4 if c > SHORT_QUERY else 0.0,
        *scope,
    )


def confidence(x: tuple[float, ...]) -> float:
    """Probability-like confidence 0..1 that the first candidate is what was asked (logistic model)."""
    if not any(x):
        return 0.0
    z = BIAS + sum(w * v for w, v in zip(WEIGHTS, x))
    return 1.0 / (1.0 + math.exp(-z))


def decide(p: float, candidates: list[tuple[float, str, tuple[str, ...]]], content_words: int) -> tuple[Verdict, int]:
    """(verdict, how many candidates to show) from the confidence and the ranked candidates.

    `candidates`: (score, id, member service ids of a situation) best first. A
    situation and the services it bundles do not compete: «народилася
    дитина» finds the situation, whose card lists birth registration.
    """
    if not candidates or p < MAYBE_CONFIDENCE:
        return "none", 0
    top = candidates[0][0]
    if p < FOUND_CONFIDENCE:  # not sure enough to say "found": ask whether it is one of the first few
        return "maybe", sum(1 for c in candidates[:MAX_CLARIFY] if c[0] >= TAIL * top)
    close_share = CLOSE_SHORT if content_words <= 2 else CLOSE
    close = [c for c in candidates[:MAX_CLARIFY] if c[0] >= close_share * top]
    bundled = {m for c in close for m in c[2]}
    rivals = [c for c in close if c[1] not in bundled]
    if len(rivals) >= 2:
        return "clarify", len(close)
    return "found", sum(1 for c in candidates if c[0] >= TAIL * top)


__all__ = ["decide", "Evidence", "named_words", "QueryShape", "evidence", "query_shape", "features", "confidence", "FEATURE_NAMES"]
