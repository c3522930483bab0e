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
  candidates that are both well supported make a "clarify".
"""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.search.index import SearchIndex
from knowledge.search.matching import QueryWord
from knowledge.search.morph import is_known

MATCH_SIM = 0.75  # a query word "matches" a document through keys at least this similar
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
    matched: int  # content words matching anything in the KB
    foreign: int  # content words unknown to the KB but real dictionary words


def query_shape(words: list[QueryWord]) -> QueryShape:
    content = [w for w in words if w.weight >= CONTENT]
    matched = [w for w in content if any(sim >= MATCH_SIM for _, sim in w.matches)]
    foreign = [w for w in content if not w.matches and w.token and not w.token.isdigit() and is_known(w.token)]
    return QueryShape(len(content), len(matched), len(foreign))


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


__all__ = ["Evidence", "QueryShape", "evidence", "query_shape"]
