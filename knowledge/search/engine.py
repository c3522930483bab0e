"""Service search: rank services and life situations for what a citizen typed.

Pipeline for one query
1. Readings: as typed, wrong-layout re-typed, transliterated (variants.py).
2. Each word -> keys (folded lemmas, Russian->Ukrainian equivalents).
   A key missing from the vocabulary is looked up fuzzily (misspellings) and
   by shared prefix (other parts of speech: «реєстр» / «реєстрація»).
3. Candidates come only from postings of matched keys — never a scan of all
   documents — so a 10,000-service KB stays fast.
4. Score = how well the query covers a *name* (title/synonym) and the name
   covers the query, plus weighted coverage over all fields, plus a
   phrase-level fuzzy match for the best candidates. Best reading wins.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from knowledge.search.analysis import query_word_keys, token_weight, word_keys
from knowledge.search.index import FIELD_WEIGHTS, SearchIndex
from knowledge.search.lexicon import split_compound
from knowledge.search.morph import is_known, is_known_ru, is_known_uk
from knowledge.search.normalize import fold
from knowledge.search.stem import stems
from knowledge.search.stopwords import drop_stop_phrases
from knowledge.search.variants import readings

# Score blend (all parts are 0..1).
W_NAME = 0.55  # best single name (title/synonym) match
W_UNION = 0.30  # weighted coverage over all fields
W_PHRASE = 0.12  # phrase-level fuzzy similarity (lemma keys) to the closest name
W_RAW = 0.03  # the same on the text as typed: a tie-breaker between equal names
PHRASE_CANDIDATES = 15  # candidates that get the (slower) phrase-level fuzzy match

GOOD_SCORE = 42.0  # below this the top hit is not a confident answer
CONVINCING = 0.8  # a reading scoring this (0..1) makes the less likely readings pointless

LEXICON_SIM = 0.95
DICTIONARY_WORD_FUZZY = 0.85
STEM_SIM = 0.8
MAX_STEM_KEYS = 8
# Keys found in more descriptions than this do not add candidates by themselves
# (they still count for candidates found otherwise): keeps a 10k KB fast.
DESC_CANDIDATE_LIMIT = 600
# Words carrying at most this share of the query weight do not add new names
# as candidates once rarer words found some (see _score_reading).
COMMON_WORDS_SHARE = 0.34
MAX_KEYS_PER_WORD = 8
WORD_NAME_BUDGET = 1200  # names one query word may add (bounds time on a huge KB)
TRANSLIT_ANALYSED = 4  # transliteration variants worth a morphological look-up
DESC_MAX_WEIGHT = max(w for f, w in FIELD_WEIGHTS.items() if f not in ("title", "synonym"))


@dataclass(frozen=True)
class SearchHit:
    kind: str  # "service" | "situation"
    id: str
    title: str
    score: float  # 0..100


@dataclass
class _QWord:
    weight: float
    idf: float
    matches: list[tuple[str, float]]  # (vocabulary key, similarity 0..1)
    text_key: str  # key used for the phrase-level match


def _max_edits(n: int) -> int:
    if n <= 3:
        return 0
    if n <= 5:
        return 1
    if n <= 10:
        return 2
    return 3


class SearchEngine:
    def __init__(self, kb) -> None:
        self.index = SearchIndex(kb)
        self._match_cache = lru_cache(maxsize=50_000)(self._match_key_uncached)
        # Load both dictionaries now, not on the first user's query.
        is_known_ru("тест")
        is_known_uk("тест")

    # ---- word matching -------------------------------------------------

    def _match_key_uncached(self, key: str, dictionary_word: bool) -> tuple[tuple[str, float], ...]:
        """Vocabulary keys that `key` may stand for, with similarity.

        `dictionary_word`: the query word is a real word, so a near-miss in the
        vocabulary is more likely a *different* word («виграти» is not
        «вигнати») than a typo: allow one edit only, at a lower similarity.
        """
        idx = self.index
        found: dict[str, float] = {}
        if key in idx.vocab:
            found[key] = 1.0
        if key.isdigit():
            return tuple(found.items())
        n = len(key)
        if key not in idx.vocab:
            d_max = _max_edits(n)
            if dictionary_word:
                d_max = min(d_max, 1)
            if d_max:
                window = idx.vocab_window(n, d_max)
                if window:
                    for cand, dist, _ in process.extract(
                        key, window, scorer=OSA.distance, score_cutoff=d_max, limit=10
                    ):
                        sim = 1.0 - 1.5 * dist / max(n, len(cand))
                        if sim < 0.6:
                            continue
                        if dictionary_word:
                            sim *= DICTIONARY_WORD_FUZZY
                        if found.get(cand, 0) < sim:
                            found[cand] = sim
        # Shared prefix: another part of speech or an unknown inflection. Only
        # when the word itself is unknown.
        if n >= 5 and key not in idx.vocab:
            for cand in idx.with_prefix(key[:5]):
                if cand == key:
                    continue
                cp = 5
                m = min(n, len(cand))
                while cp < m and cand[cp] == key[cp]:
                    cp += 1
                longest = max(n, len(cand))
                if cp >= 0.75 * m and cp >= 0.5 * longest:
                    sim = 0.45 + 0.4 * cp / longest
                    if found.get(cand, 0) < sim:
                        found[cand] = sim
        # Related words: a verb for its noun («зареєструвати» ~ «реєстрація»).
        for st in stems(key):
            for cand in idx.by_stem.get(st, ())[:MAX_STEM_KEYS]:
                if found.get(cand, 0) < STEM_SIM:
                    found[cand] = STEM_SIM
        best = sorted(found.items(), key=lambda kv: -kv[1])[:10]
        return tuple(best)

    def _pick_translit(self, latin: str, variants: list[str]) -> str:
        """The transliteration the KB vocabulary or a dictionary recognises."""
        vocab = self.index.vocab
        for v in variants:  # cheap first: the spelling itself occurs in the KB
            if fold(v) in vocab:
                return v
        for v in variants[:TRANSLIT_ANALYSED]:  # then its lemmas (morphology is slower)
            own, extra = query_word_keys(v)
            if any(k in vocab for k in own + extra):
                return v
        for v in variants[:TRANSLIT_ANALYSED]:
            if is_known(v):
                return v
        return variants[0] if variants else latin

    def _is_indexed_latin(self, token: str) -> bool:
        return any(k in self.index.vocab for k in word_keys(token))

    def _in_vocab(self, token: str) -> bool:
        own, extra = query_word_keys(token)
        return any(k in self.index.vocab for k in own + extra)

    def _words(self, tokens: tuple[str, ...]) -> list[_QWord]:
        idx = self.index
        # Join neighbours written apart that the KB has as one word («загран паспорт»).
        toks = list(tokens)
        i = 0
        joined: list[str] = []
        while i < len(toks):
            if i + 1 < len(toks):
                pair = toks[i] + toks[i + 1]
                own, _ = query_word_keys(pair)
                if any(k in idx.vocab for k in own) and not any(k in idx.vocab for k in query_word_keys(toks[i])[0]):
                    joined.append(pair)
                    i += 2
                    continue
            joined.append(toks[i])
            i += 1
        # Stump compounds the KB does not know as one word: «медогляд» -> «медичний огляд».
        split: list[str] = []
        for tok in joined:
            parts = None
            if len(tok) >= 6 and not tok.isascii() and not self._in_vocab(tok):
                parts = split_compound(tok, self._in_vocab)
            split.extend(parts or (tok,))
        words: list[_QWord] = []
        for tok in drop_stop_phrases(split):
            weight = token_weight(tok)
            if weight == 0.0:
                continue
            if tok.isdigit():
                weight = min(weight, 0.3)
            own, extra = query_word_keys(tok)
            known = not tok.isascii() and is_known(tok)
            found: dict[str, float] = {}
            for k in own:
                for cand, sim in self._match_cache(k, known):
                    if found.get(cand, 0) < sim:
                        found[cand] = sim
            for k in extra:
                if k in idx.vocab and found.get(k, 0) < LEXICON_SIM:
                    found[k] = LEXICON_SIM
            matches = sorted(found.items(), key=lambda kv: -kv[1])
            if matches and matches[0][1] >= LEXICON_SIM:
                # The word itself is known: distant look-alikes only add noise and time.
                matches = [m for m in matches if m[1] >= STEM_SIM]
            matches = matches[:MAX_KEYS_PER_WORD]
            if matches:
                top = matches[0][1]
                idf = min(idx.idf[k] for k, s in matches if s >= top - 1e-9)
                text_key = matches[0][0]
            else:
                idf = idx.unseen_idf * 0.5
                text_key = fold(own[0]) if own else tok
            words.append(_QWord(weight, idf, matches, text_key))
        return words

    # ---- scoring ---------------------------------------------------------

    def _score_reading(self, words: list[_QWord]) -> dict[int, float]:
        """Score of every candidate document for one reading of the query (0..1)."""
        idx = self.index
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
        desc_cap = sum(c * max((sim * DESC_MAX_WEIGHT for _, sim in dl), default=0.0) for c, dl in zip(coefs, desc_lists))
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

        # Documents in order of their best name match; stop once even a perfect
        # coverage could not lift the next one into the candidates for ranking.
        for d in sorted(name_best, key=name_best.__getitem__, reverse=True):
            if len(kth) >= PHRASE_CANDIDATES and W_NAME * name_best[d] + W_UNION < kth[0]:
                break
            s = scores[d] = score_doc(d)
            if len(kth) < PHRASE_CANDIDATES:
                heapq.heappush(kth, s)
            elif s > kth[0]:
                heapq.heapreplace(kth, s)
        if len(kth) < PHRASE_CANDIDATES or W_UNION * desc_cap >= kth[0]:
            for d in cands:
                if d not in name_best:
                    scores[d] = score_doc(d)
        return scores

    def _phrase(self, q: str, raw: str, d: int) -> float:
        """Phrase-level fuzzy similarity of the query to the document's closest name (0..1)."""
        doc = self.index.docs[d]
        best = process.extractOne(q, doc.unit_texts, scorer=fuzz.token_sort_ratio)
        best_raw = process.extractOne(raw, doc.unit_raws, scorer=fuzz.ratio)
        return (W_PHRASE * (best[1] if best else 0.0) + W_RAW * (best_raw[1] if best_raw else 0.0)) / 100.0

    def _rank(self, query: str, keep: int) -> list[tuple[float, int]]:
        """(score 0..1, doc) best first; exact for the first `keep` places."""
        combined: dict[int, float] = {}
        best = 0.0
        for reading in readings(query, self._pick_translit, is_known, self._is_indexed_latin):
            # Less likely readings can only win if nothing convincing was found yet.
            if best >= CONVINCING * reading.factor and reading.how != "typed":
                continue
            words = self._words(reading.tokens)
            if not words:
                continue
            scores = self._score_reading(words)
            if not scores:
                continue
            # A query of only weak words («оформити», a number) is not a confident match.
            factor = reading.factor * min(1.0, sum(w.weight for w in words))
            q = " ".join(w.text_key for w in words if w.weight >= 0.5) or " ".join(w.text_key for w in words)
            raw = " ".join(reading.tokens)
            top = heapq.nlargest(PHRASE_CANDIDATES, scores.items(), key=lambda kv: kv[1])
            kept: list[float] = []  # min-heap of the `keep` best totals of this reading
            for d, s in top:
                # The phrase part adds at most W_PHRASE + W_RAW: skip who cannot make the cut.
                if len(kept) >= keep and (s + W_PHRASE + W_RAW) * factor < kept[0]:
                    break
                total = (s + self._phrase(q, raw, d)) * factor
                if len(kept) < keep:
                    heapq.heappush(kept, total)
                elif total > kept[0]:
                    heapq.heapreplace(kept, total)
                if total > combined.get(d, 0.0):
                    combined[d] = total
                    if total > best:
                        best = total
        return sorted(((s, d) for d, s in combined.items()), key=lambda x: (-x[0], x[1]))

    # ---- public API ------------------------------------------------------

    def search(self, query: str, lang: str = "uk", limit: int = 5) -> list[SearchHit]:
        if not query or not query.strip() or limit <= 0:
            return []
        out: list[SearchHit] = []
        for s, d in self._rank(query, keep=max(limit, 5))[:limit]:
            doc = self.index.docs[d]
            out.append(SearchHit(doc.kind, doc.hit_id, doc.title(lang), round(min(100.0, s * 100.0), 1)))
        return out

    def is_good(self, hits: list[SearchHit]) -> bool:
        """Whether the top hit is a confident answer (else say honestly "nothing found")."""
        return bool(hits) and hits[0].score >= GOOD_SCORE


def clear_query_caches() -> None:
    """Forget cached word analyses (lemmas, keys, stems, dictionary look-ups).

    For benchmarks that want to time a query as if its words were new; a
    running bot never needs this.
    """
    from knowledge.search import analysis, morph, stem

    for fn in (morph.lemmas, morph.is_known_uk, morph.is_known_ru, analysis.word_keys, analysis.query_word_keys, stem.stems):
        fn.cache_clear()


__all__ = ["SearchEngine", "SearchHit", "GOOD_SCORE", "clear_query_caches"]
