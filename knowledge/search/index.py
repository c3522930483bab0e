"""The search index: built once from the knowledge base, read by every query.

Each service and situation is a *document* with

* name units — its titles (uk, en) and every synonym, one unit each. A query
  that matches a whole name («прописка» = a synonym) is the strongest signal;
* description fields — summary, eligibility, category, checklist lines —
  pooled per document with a field weight (descriptions count less than
  names, checklist words least).

Postings map a key (folded lemma) to where it occurs; `vocabulary` buckets
keys by length for the fuzzy look-up of misspelt words.
"""

from __future__ import annotations

import bisect
import math
from collections import defaultdict
from dataclasses import dataclass, field

from knowledge.search.analysis import text_groups

# How much a word in each field says about the document.
FIELD_WEIGHTS = {
    "title": 1.0,
    "synonym": 0.97,
    "summary": 0.5,
    "eligibility": 0.35,
    "category": 0.3,
    "condition": 0.2,
    "document": 0.2,
}


@dataclass
class NameUnit:
    weight: float
    groups: list[tuple[str, ...]]  # key group of each word
    pos_idf: list[float] = field(default_factory=list)
    total_idf: float = 0.0
    text: str = ""  # first key of each word, for the phrase-level fuzzy match


@dataclass
class Doc:
    kind: str  # "service" | "situation"
    id: str
    titles: dict[str, str]
    units: list[NameUnit]

    @property
    def hit_id(self) -> str:
        return self.id if self.kind == "service" else f"situation:{self.id}"

    def title(self, lang: str) -> str:
        return self.titles.get(lang) or self.titles["uk"]


class SearchIndex:
    def __init__(self, kb) -> None:
        self.docs: list[Doc] = []
        desc_fields: list[list[tuple[float, list[tuple[str, ...]]]]] = []

        categories = getattr(kb, "categories", {}) or {}
        for svc in kb.services.values():
            units = [NameUnit(FIELD_WEIGHTS["title"], text_groups(svc.title.uk)),
                     NameUnit(FIELD_WEIGHTS["title"], text_groups(svc.title.en))]
            units += [NameUnit(FIELD_WEIGHTS["synonym"], text_groups(s)) for s in svc.synonyms.all()]
            desc = [
                (FIELD_WEIGHTS["summary"], text_groups(svc.summary.uk) + text_groups(svc.summary.en)),
                (FIELD_WEIGHTS["eligibility"], text_groups(svc.eligibility.uk) + text_groups(svc.eligibility.en)),
            ]
            cat = categories.get(svc.category)
            if cat is not None:
                desc.append((FIELD_WEIGHTS["category"], text_groups(cat.title.uk) + text_groups(cat.title.en)))
            for d in svc.documents:
                desc.append((FIELD_WEIGHTS["document"], text_groups(d.text.uk) + text_groups(d.text.en)))
                if d.condition is not None:
                    desc.append((FIELD_WEIGHTS["condition"], text_groups(d.condition.uk) + text_groups(d.condition.en)))
            self._add("service", svc.id, {"uk": svc.title.uk, "en": svc.title.en}, units)
            desc_fields.append(desc)

        for sit in kb.situations.values():
            units = [NameUnit(FIELD_WEIGHTS["title"], text_groups(sit.title.uk)),
                     NameUnit(FIELD_WEIGHTS["title"], text_groups(sit.title.en))]
            units += [NameUnit(FIELD_WEIGHTS["synonym"], text_groups(s)) for s in sit.synonyms.all()]
            desc = [(FIELD_WEIGHTS["summary"], text_groups(sit.summary.uk) + text_groups(sit.summary.en))]
            self._add("situation", sit.id, {"uk": sit.title.uk, "en": sit.title.en}, units)
            desc_fields.append(desc)

        # Document frequency over every field.
        n = len(self.docs)
        df: dict[str, int] = defaultdict(int)
        for doc, desc in zip(self.docs, desc_fields):
            keys = {k for u in doc.units for g in u.groups for k in g}
            keys |= {k for _, groups in desc for g in groups for k in g}
            for k in keys:
                df[k] += 1
        self.n_docs = n
        self.idf: dict[str, float] = {k: self._idf(c) for k, c in df.items()}
        self.unseen_idf = self._idf(0)

        # Postings.
        self.name_post: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
        self.desc_post: dict[str, dict[int, float]] = defaultdict(dict)
        for d, doc in enumerate(self.docs):
            kept: list[NameUnit] = []
            for unit in doc.units:
                if not unit.groups:
                    continue
                unit.pos_idf = [self.idf[g[0]] for g in unit.groups]
                unit.total_idf = sum(unit.pos_idf) or 1.0
                unit.text = " ".join(g[0] for g in unit.groups)
                kept.append(unit)
            doc.units = kept
            for u, unit in enumerate(kept):
                for p, group in enumerate(unit.groups):
                    for k in group:
                        self.name_post[k].append((d, u, p))
            for weight, groups in desc_fields[d]:
                for group in groups:
                    for k in group:
                        post = self.desc_post[k]
                        if post.get(d, 0.0) < weight:
                            post[d] = weight
        self.name_post = dict(self.name_post)
        self.desc_post = dict(self.desc_post)

        # Vocabulary for fuzzy and prefix look-ups.
        self.vocab: set[str] = set(df)
        self.sorted_vocab: list[str] = sorted(self.vocab)
        by_len: dict[int, list[str]] = defaultdict(list)
        for k in self.sorted_vocab:
            by_len[len(k)].append(k)
        self.vocab_by_len: dict[int, list[str]] = dict(by_len)

    def _add(self, kind: str, id_: str, titles: dict[str, str], units: list[NameUnit]) -> None:
        self.docs.append(Doc(kind, id_, titles, units))

    def _idf(self, df: int) -> float:
        n = max(self.n_docs, 1)
        return max(0.05, math.log(1.0 + (n - df + 0.5) / (df + 0.5)))

    def with_prefix(self, prefix: str) -> list[str]:
        """Vocabulary keys that start with `prefix`."""
        i = bisect.bisect_left(self.sorted_vocab, prefix)
        out = []
        while i < len(self.sorted_vocab) and self.sorted_vocab[i].startswith(prefix):
            out.append(self.sorted_vocab[i])
            i += 1
        return out


__all__ = ["SearchIndex", "Doc", "NameUnit", "FIELD_WEIGHTS"]
