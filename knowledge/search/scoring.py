"""Scoring the candidate documents for one reading of a query.

For every *name* (title or synonym) the query touches:
    q_cov = share of the query's weight (weight x idf of each word) the name covers
    p_cov = share of the name's own weight the query covers
    name score = field weight x q_cov x (0.5 + 0.5 p_cov)
so a name that *is* the query («прописка») beats a long title that merely
contains a query word. A document's score blends its best name with the
weighted coverage of the query over all its fields (descriptions count less,
checklist lines least). A phrase-level fuzzy match (rapidfuzz) of the closest
name refines the best candidates.

Only postings of matched keys are walked, with bounds that skip documents
which cannot reach the top — no scan over all documents.
"""

from __future__ import annotations

import heapq
from collections import defaultdict

from rapidfuzz import fuzz, process

from knowledge.search.index import FIELD_WEIGHTS, SearchIndex
from knowledge.search.matching import QueryWord

W_NAME = 0.55  # best single name (title/synonym) match
W_UNION = 0.30  # weighted coverage over all fields
W_PHRASE = 0.12  # phrase-level fuzzy similarity (lemma keys) to the closest name
W_RAW = 0.03  # the same on the text as typed: a tie-breaker between equal names
PHRASE_CANDIDATES = 15  # candidates per reading that get the phrase-level match

# Keys found in more descriptions than this do not add candidates by themselves
# (they still count for candidates found otherwise): keeps a 10k KB fast.
DESC_CANDIDATE_LIMIT = 600
# Words carrying at most this share of the query weight do not add new names
# as candidates once rarer words found some.
COMMON_WORDS_SHARE = 0.34
WORD_NAME_BUDGET = 1200  # names one query word may add (bounds time on a huge KB)
DESC_MAX_WEIGHT = max(w for f, w in FIELD_WEIGHTS.items() if f not in ("title", "synonym"))


def score_reading(idx: SearchIndex, words: list[QueryWord], exhaustive: bool = False) -> dict[int, float]:
    """Score of the candidate documents for one reading of the query (0..1): every one that can be among
    the PHRASE_CANDIDATES best (`exhaustive`: every candidate, for tests of the bounds)."""
    wq = sum(w.weight * w.idf for w in words)
    if wq <= 0:
        return {}
    unit_q: dict[int, float] = defaultdict(float)  # unit -> covered query weight
    unit_p: dict[int, float] = defaultdict(float)  # unit -> covered unit idf
    name_tok: list[dict[int, float]] = [{} for _ in words]  # per word: doc -> best name-field match
    cands: set[int] = set()
    unit_doc, unit_weight = idx.unit_doc, idx.unit_weight
    touched: set[int] = set()
    remaining = wq
    # Most telling words first. Once they have found names, words that carry
    # little of the query's weight only update those names instead of
    # walking their (long) postings: a name holding nothing but such common
    # words could not rank anyway.
    for t in sorted(range(len(words)), key=lambda i: -words[i].weight * words[i].idf):
        w = words[t]
        c = w.weight * w.idf
        remaining -= c
        posts = [(idx.name_post[k], sim) for k, sim in w.matches if k in idx.name_post]
        heads = [(idx.name_head[k], sim) for k, sim in w.matches if k in idx.name_head]
        for key, _ in w.matches:
            post = idx.desc_post.get(key)
            if post and len(post) <= DESC_CANDIDATE_LIMIT:
                cands.update(post)
        if not posts:
            continue
        size = sum(len(p) for p, _ in heads)
        best: dict[int, tuple[float, float]] = {}
        if touched and len(touched) < size and (c + remaining) / wq <= COMMON_WORDS_SHARE:
            for gid in touched:
                for post, sim in posts:
                    pidf = post.get(gid)
                    if pidf is not None:
                        best[gid] = (sim, pidf)
                        break
        else:
            for post, sim in heads:  # matches come best first: the first sighting wins
                if not best:
                    best = {gid: (sim, pidf) for gid, pidf in post.items()}
                    continue
                for gid, pidf in post.items():
                    if gid not in best:
                        best[gid] = (sim, pidf)
                if len(best) >= WORD_NAME_BUDGET:
                    break
        nt = name_tok[t]
        for gid, (sim, pidf) in best.items():
            unit_q[gid] += c * sim
            unit_p[gid] += sim * pidf
            d = unit_doc[gid]
            v = unit_weight[gid] * sim
            if nt.get(d, 0.0) < v:
                nt[d] = v
        touched.update(best)

    name_best: dict[int, float] = {}
    unit_total = idx.unit_total_idf
    for gid, q in unit_q.items():
        p_cov = unit_p[gid] / unit_total[gid]
        score = unit_weight[gid] * q * (1.0 + (p_cov if p_cov < 1.0 else 1.0))
        d = unit_doc[gid]
        if score > name_best.get(d, 0.0):
            name_best[d] = score
    half_wq = 0.5 / wq  # score = weight * q/wq * (0.5 + 0.5 * p_cov)
    for d in name_best:
        name_best[d] *= half_wq

    desc_lists = [[(idx.desc_post[k], sim) for k, sim in w.matches if k in idx.desc_post] for w in words]
    coefs = [w.weight * w.idf / wq for w in words]
    # Best description weight any word can reach: bounds the score of a
    # document that matched no name, so most of them need no scoring.
    caps = [max((sim * DESC_MAX_WEIGHT for _, sim in dl), default=0.0) for dl in desc_lists]
    desc_cap = sum(c * cap for c, cap in zip(coefs, caps))
    scores: dict[int, float] = {}
    kth: list[float] = []  # min-heap of the PHRASE_CANDIDATES best scores so far

    def score_doc(d: int) -> float:
        union = 0.0
        for t, c in enumerate(coefs):
            v = name_tok[t].get(d, 0.0)
            for post, sim in desc_lists[t]:
                x = post.get(d)
                if x is not None and x * sim > v:
                    v = x * sim
            union += c * v
        return W_NAME * name_best.get(d, 0.0) + W_UNION * union

    # Documents that matched a name, by the most they can score: each word covers at most its name match
    # or the best description any of its keys has. Stop once the next cannot enter the candidates.
    name_bound: dict[int, float] = {d: W_NAME * nb + W_UNION * desc_cap for d, nb in name_best.items()}
    for c, cap, nt in zip(coefs, caps, name_tok):
        for d, v in nt.items():
            if v > cap:
                name_bound[d] += W_UNION * c * (v - cap)

    def score_best(bounded: list[tuple[int, float]]) -> None:
        """Score (document, upper bound) pairs, best bound first, until the next cannot enter the best."""
        for d, bound in sorted(bounded, key=lambda db: -db[1]):
            if len(kth) >= PHRASE_CANDIDATES and bound < kth[0] and not exhaustive:
                break
            s = scores[d] = score_doc(d)
            if len(kth) < PHRASE_CANDIDATES:
                heapq.heappush(kth, s)
            elif s > kth[0]:
                heapq.heapreplace(kth, s)

    score_best(list(name_bound.items()))
    if len(kth) < PHRASE_CANDIDATES or W_UNION * desc_cap >= kth[0] or exhaustive:
        # The rest, those found through descriptions only: a 10,000-service KB has thousands.
        base, extra = _desc_bounds(coefs, desc_lists)
        score_best([(d, W_UNION * (base + extra.get(d, 0.0))) for d in cands if d not in name_best])
    return scores


def _desc_bounds(coefs: list[float], desc_lists: list[list[tuple[dict[int, float], float]]],
                 ) -> tuple[float, dict[int, float]]:
    """The most the coverage of a candidate that matched no name can be: `base` + `extra[doc]` — exact from
    the short postings that made it a candidate, and what a long posting could add at most."""
    base = 0.0
    extra: dict[int, float] = defaultdict(float)
    for c, lists in zip(coefs, desc_lists):
        cap = max((sim * DESC_MAX_WEIGHT for post, sim in lists if len(post) > DESC_CANDIDATE_LIMIT), default=0.0)
        base += c * cap
        part: dict[int, float] = {}
        for post, sim in lists:
            if len(post) <= DESC_CANDIDATE_LIMIT:
                for d, x in post.items():
                    v = x * sim
                    if v > cap and v > part.get(d, 0.0):
                        part[d] = v
        for d, v in part.items():
            extra[d] += c * (v - cap)
    return base, extra


def phrase_similarity(idx: SearchIndex, q_sorted: str, raw: str, d: int) -> float:
    """Phrase-level fuzzy similarity of the query to the document's closest name (0..1).

    `q_sorted`: the query's keys in sorted order (index.sorted_words), compared order-free with the names;
    `raw`: the query as typed, compared with the names as written (a tie-breaker).
    """
    doc = idx.docs[d]
    best = process.extractOne(q_sorted, doc.unit_texts, scorer=fuzz.ratio)
    best_raw = process.extractOne(raw, doc.unit_raws, scorer=fuzz.ratio)
    return (W_PHRASE * (best[1] if best else 0.0) + W_RAW * (best_raw[1] if best_raw else 0.0)) / 100.0


__all__ = ["score_reading", "phrase_similarity", "W_NAME", "W_UNION", "W_PHRASE", "W_RAW", "PHRASE_CANDIDATES"]
