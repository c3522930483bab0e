"""The search index: built once from the knowledge base, read by every query.

Each service and situation is a *document* with

* name units — its titles (uk, en) and every synonym, one unit each. A query
  that matches a whole name («прописка» = a synonym) is the strongest signal;
* description fields — summary, eligibility, category, checklist lines —
  pooled per document with a field weight (descriptions count less than
  names, checklist words least).

Postings map a key (folded lemma) to where it occurs; the vocabulary is
bucketed by key length for the fuzzy look-up of misspelt words and kept sorted
for the prefix look-up.
"""

from __future__ import annotations

import bisect
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import chain

from knowledge.search.analysis import text_groups
from knowledge.search.normalize import fold, normalize, unify_apostrophes
from knowledge.search.stem import stems

# An abbreviation as the KB writes it: two to six capitals («ФОП», «ВПО», «КЕП»).
_ABBREVIATION = re.compile(r"\b[А-ЯІЇЄҐ]{2,6}\b")

# How much a word in each field says about the document.
FIELD_WEIGHTS = {
    "title": 1.0,
    "synonym": 0.97,
    "summary": 0.5,
    "eligibility": 0.35,
    "category": 0.3,
    "condition": 0.2,  # a document's `when` and `note`
    "document": 0.2,
    "legal": 0.1,  # titles of the acts a card cites
}

DF_POWER = 1.0  # a key adds its best field weight ** DF_POWER to its document frequency (1: the weight itself)

Groups = tuple[tuple[str, ...], ...]

# A query word walks at most this many names per key (the ones the key matters
# most in). Real KBs stay far below it; it bounds the time on huge ones.
NAME_HEAD = 500


@dataclass(slots=True)
class NameUnit:
    """A title or a synonym of one document."""

    doc: int
    weight: float
    total_idf: float  # sum of the idf of its words
    text: str  # first key of each word, for the phrase-level fuzzy match
    raw: str  # the name as written (normalised), a tie-breaker for near-equal names


def sorted_words(text: str) -> str:
    """The words of `text` in sorted order: fuzz.ratio of two such strings is fuzz.token_sort_ratio of the
    originals, with the sorting done once instead of on every comparison."""
    return " ".join(sorted(text.split()))


@dataclass(slots=True)
class Doc:
    kind: str  # "service" | "situation"
    id: str
    titles: dict[str, str]
    units: list[int]  # global NameUnit ids
    # NameUnit.text of each unit, its words sorted (the phrase match compares word order-free: scoring.py)
    unit_texts: list[str] = field(default_factory=list)
    unit_raws: list[str] = field(default_factory=list)  # NameUnit.raw of each unit
    members: tuple[str, ...] = ()  # a situation: the ids of the services it bundles

    @property
    def hit_id(self) -> str:
        return self.id if self.kind == "service" else f"situation:{self.id}"

    def title(self, lang: str) -> str:
        return self.titles.get(lang) or self.titles["uk"]


def _names(title, synonyms) -> list[tuple[float, str]]:
    return [
        (FIELD_WEIGHTS["title"], title.uk),
        (FIELD_WEIGHTS["title"], title.en),
        *((FIELD_WEIGHTS["synonym"], s) for s in synonyms.all()),
    ]


def _service_fields(svc, categories, acts=None) -> tuple[list[tuple[float, str]], list[tuple[float, Groups]]]:
    names = _names(svc.title, svc.synonyms)
    desc = [
        (FIELD_WEIGHTS["summary"], text_groups(svc.summary.uk) + text_groups(svc.summary.en)),
        (FIELD_WEIGHTS["eligibility"], text_groups(svc.eligibility.uk) + text_groups(svc.eligibility.en)),
    ]
    if svc.more is not None:  # the rest of a long summary
        desc.append((FIELD_WEIGHTS["summary"], text_groups(svc.more.uk) + text_groups(svc.more.en)))
    cat = categories.get(svc.category)
    if cat is not None:
        desc.append((FIELD_WEIGHTS["category"], text_groups(cat.title.uk) + text_groups(cat.title.en)))
    for d in svc.documents:
        desc.append((FIELD_WEIGHTS["document"], text_groups(d.text.uk) + text_groups(d.text.en)))
        for extra in (d.when, d.note):
            if extra is not None:
                desc.append((FIELD_WEIGHTS["condition"], text_groups(extra.uk) + text_groups(extra.en)))
    for ref in svc.legal_basis:
        act = (acts or {}).get(ref.act)
        if act is not None:
            desc.append((FIELD_WEIGHTS["legal"], text_groups(act.title.uk) + text_groups(act.title.en)))
    return names, desc


def _situation_fields(sit) -> tuple[list[tuple[float, str]], list[tuple[float, Groups]]]:
    names = _names(sit.title, sit.synonyms)
    desc = [(FIELD_WEIGHTS["summary"], text_groups(sit.summary.uk) + text_groups(sit.summary.en))]
    return names, desc


def _situation_services(sit) -> tuple[str, ...]:
    return tuple(sit.services)


class SearchIndex:
    def __init__(self, kb) -> None:
        self.docs: list[Doc] = []
        self.units: list[NameUnit] = []
        fields: list[tuple[list[tuple[float, str]], list[tuple[float, Groups]]]] = []

        categories = getattr(kb, "categories", {}) or {}
        acts = getattr(kb, "acts", {}) or {}
        for svc in kb.services.values():
            self.docs.append(Doc("service", svc.id, {"uk": svc.title.uk, "en": svc.title.en}, []))
            fields.append(_service_fields(svc, categories, acts))
        for sit in kb.situations.values():
            self.docs.append(Doc("situation", sit.id, {"uk": sit.title.uk, "en": sit.title.en}, [],
                                 members=_situation_services(sit)))
            fields.append(_situation_fields(sit))

        # Per document: its names as key groups, and each description key with
        # its best field weight. Document frequency over every field.
        self.n_docs = len(self.docs)
        df: dict[str, float] = defaultdict(float)
        doc_names: list[list[tuple[float, str, Groups]]] = []
        doc_desc: list[dict[str, float]] = []
        for names, desc in fields:
            named = [(weight, name, text_groups(name)) for weight, name in names]
            best: dict[str, float] = {}
            for weight, groups in desc:
                for group in groups:
                    for k in group:
                        if best.get(k, 0.0) < weight:
                            best[k] = weight
            seen = dict(best)
            for _, _, groups in named:
                for g in groups:
                    for k in g:
                        seen[k] = 1.0
            for k, weight in seen.items():
                df[k] += weight ** DF_POWER
            doc_names.append(named)
            doc_desc.append(best)
        del fields
        self.idf: dict[str, float] = {k: self._idf(c) for k, c in df.items()}
        self.unseen_idf = self._idf(0)

        # Postings: key -> {unit id: summed idf of the unit's words holding the key}
        #           key -> {doc id: best field weight among its descriptions}
        name_post: dict[str, dict[int, float]] = defaultdict(dict)
        desc_post: dict[str, dict[int, float]] = defaultdict(dict)
        idf = self.idf
        raw_cache: dict[str, str] = {}
        for d, (named, best) in enumerate(zip(doc_names, doc_desc)):
            doc = self.docs[d]
            for weight, name, groups in named:
                if not groups:
                    continue
                gid = len(self.units)
                pos_idf = [idf[g[0]] for g in groups]
                text = " ".join(g[0] for g in groups)
                raw = raw_cache.get(name)
                if raw is None:
                    raw = raw_cache[name] = normalize(name)
                self.units.append(NameUnit(d, weight, sum(pos_idf) or 1.0, text, raw))
                doc.units.append(gid)
                doc.unit_texts.append(sorted_words(text))
                doc.unit_raws.append(raw)
                for p, group in enumerate(groups):
                    for k in group:
                        post = name_post[k]
                        post[gid] = post.get(gid, 0.0) + pos_idf[p]
            for k, weight in best.items():
                desc_post[k][d] = weight
        self.name_post: dict[str, dict[int, float]] = dict(name_post)
        # For a key found in very many names, the names it stands out in most
        # (largest share of the name's weight) — what a query walks through.
        self.name_head: dict[str, dict[int, float]] = {}
        for k, post in self.name_post.items():
            if len(post) > NAME_HEAD:
                top = sorted(post.items(), key=lambda gp: -gp[1] / self.units[gp[0]].total_idf)[:NAME_HEAD]
                self.name_head[k] = dict(top)
            else:
                self.name_head[k] = post
        self.unit_doc: list[int] = [u.doc for u in self.units]
        self.unit_weight: list[float] = [u.weight for u in self.units]
        self.unit_total_idf: list[float] = [u.total_idf for u in self.units]
        self.desc_post: dict[str, dict[int, float]] = dict(desc_post)

        # Vocabulary for fuzzy and prefix look-ups.
        self.vocab: frozenset[str] = frozenset(df)
        self.sorted_vocab: list[str] = sorted(self.vocab)
        # Fuzzy look-ups compare a word only with keys of similar length that hold one of its first two
        # letters in one of their first two places: a typo in the first two letters still leaves one of
        # them there (a changed, dropped, added or swapped first letter).
        by_letter: dict[tuple[int, int, str], list[str]] = defaultdict(list)
        for k in self.sorted_vocab:
            for pos in range(min(2, len(k))):
                by_letter[(len(k), pos, k[pos])].append(k)
        self._by_letter: dict[tuple[int, int, str], list[str]] = dict(by_letter)
        # Abbreviations the KB writes in capitals («ФОП», «ВПО», «КЕП»): people derive words from them
        # («фопка», «впошники», «кепчик»; matching.py).
        caps = {t for svc in kb.services.values() for text in (svc.title.uk, *svc.synonyms.uk, svc.summary.uk)
                for t in _ABBREVIATION.findall(text)}
        caps |= set(getattr(kb, "abbreviations", {}) or {})
        self.abbreviations: frozenset[str] = frozenset(
            k for k in (fold(unify_apostrophes(t.lower())) for t in caps) if k in self.vocab)
        # Derivational stems: «реестр» -> {реестрация, зарееструвати, ...}.
        by_stem: dict[str, list[str]] = defaultdict(list)
        for k in self.sorted_vocab:
            for st in stems(k):
                by_stem[st].append(k)
        self.by_stem: dict[str, tuple[str, ...]] = {st: tuple(ks) for st, ks in by_stem.items()}

    def name_keys(self) -> list[tuple[str, list[str]]]:
        """(hit id, the lemma keys of one of its names) for every title and synonym."""
        return [(self.docs[u.doc].hit_id, u.text.split()) for u in self.units]

    def _idf(self, df: float) -> float:
        n = max(self.n_docs, 1)
        return max(0.05, math.log(1.0 + (n - df + 0.5) / (df + 0.5)))

    def fuzzy_candidates(self, key: str, radius: int) -> list[str]:
        """Vocabulary keys that may be within `radius` edits of `key`: of a length within `radius` of its
        own, sharing one of its first two letters in one of their first two places. A key that holds both
        letters comes twice (rare; cheaper than removing the repeats). Always in the same order: look-alikes
        equally near keep their order, and so the answers do not depend on string hashing."""
        return list(chain.from_iterable(self._by_letter.get((n, pos, ch), ())
                                        for n in range(len(key) - radius, len(key) + radius + 1)
                                        for pos in (0, 1) for ch in dict.fromkeys(key[:2])))

    def with_prefix(self, prefix: str) -> list[str]:
        """Vocabulary keys that start with `prefix`."""
        i = bisect.bisect_left(self.sorted_vocab, prefix)
        out = []
        while i < len(self.sorted_vocab) and self.sorted_vocab[i].startswith(prefix):
            out.append(self.sorted_vocab[i])
            i += 1
        return out


__all__ = ["SearchIndex", "Doc", "NameUnit", "FIELD_WEIGHTS"]
