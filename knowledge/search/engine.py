"""Service search: rank services and life situations for what a citizen typed.

Pipeline for one query
1. Readings: as typed, wrong-layout re-typed, transliterated (variants.py).
2. Each word -> vocabulary keys: folded lemmas, Russian->Ukrainian
   equivalents, fuzzy look-alikes for typos, related words by stem
   (matching.py, on top of normalize / morph / stem / lexicon).
3. Candidates come only from postings of matched keys — never a scan of all
   documents — so a 10,000-service KB stays fast (index.py).
4. Score = best name (title/synonym) match + weighted coverage over all
   fields + phrase-level fuzzy match (scoring.py). The best reading wins;
   situations and services compete in one list.

Close candidates are then ordered with the service model (service_model.py), which has learnt from
labelled messages the words people use for each service.

answer() first asks whether the message is a search at all: the word classes of
intents.py, then the learnt model of intent_model.py (when sure), recognise
questions about the CNAP, the bot, a person or an application; a search that
finds nothing gets a second, lenient look. The confidence model
(confidence.py) turns the evidence into found / clarify / none.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from knowledge.search.answer import CONFIDENT, Answer, Verdict, make_answer
from knowledge.search.clauses import CIRCUMSTANCE_FACTOR, has_need_clause, proper_nouns, word_roles
from knowledge.search.confidence import QueryShape, confidence, decide, evidence, features, named_words, query_shape
from knowledge.search.hygiene import clean_text
from knowledge.search.index import SearchIndex, sorted_words
from knowledge.search.intent_model import NONE as NO_INTENT
from knowledge.search.intent_model import IntentModel, message_features
from knowledge.search.intents import Intent, detect_intent, without_intent_words
from knowledge.search.matching import QueryWord, WordMatcher
from knowledge.search.morph import is_known, is_known_ru, is_known_uk
from knowledge.search.scoring import PHRASE_CANDIDATES, phrase_similarity, score_reading
from knowledge.search.service_model import ServiceModel, key_features
from knowledge.search.variants import Reading, readings

CONVINCING = 0.8  # a reading scoring this (0..1) makes the less likely readings pointless
MAX_QUERY_CHARS = 300  # a longer message is not a search query; its head says enough
ANSWER_LIMIT = 15  # hits considered for an answer (the bot pages through them)
STORY_FACTOR = 0.5  # words of the story around a stated need count this much
MEMBER_CLOSE = 0.8  # a situation's own service scoring this share of it, naming more of the message, goes first
MEMBER_LOOKAHEAD = 4  # how many hits after the situation are looked at for such a service
# The intent model (intent_model.py) is believed before the search when this sure, and after a search that
# found nothing when at least this sure (chosen by the cross-validation of bench/fit_intents.py).
MODEL_SURE = 0.7
MODEL_LENIENT = 0.4
# The service model (service_model.py) orders the candidates scoring at least RERANK_CLOSE of the first,
# among the first RERANK_DEPTH: a candidate's order is its score plus RERANK_WEIGHT x the model's
# probability (chosen by the cross-validation of bench/fit_services.py). The scores stay in their places
# (the first keeps the first score); the verdict's evidence is that of the new first.
RERANK_CLOSE = 0.8
RERANK_WEIGHT = 0.1
RERANK_DEPTH = 10
EXACT_NAME = 0.995  # a score this high: the message is the card's name, word for word
# The service the service model finds likeliest is offered third (_offer_third) when it is at least
# this probable among every labelled service and the off-topic class (bench/fit_services.py cross-validates).
MODEL_CANDIDATE = 0.5
# When the scoring finds nothing convincing but the service model is this sure of one service, the answer is
# "maybe" with that service (bench/fit_confidence.py: no off-topic message or near miss of the training
# files reached it when left out).
MODEL_MAYBE = 0.7
# ... and when it is this sure of a candidate the scoring ranked lower, that candidate goes first.
MODEL_FIRST = 0.9


class Judgement(NamedTuple):
    ranked: list[tuple[float, int]]  # (score 0..1, doc), best first
    shape: QueryShape
    x: tuple[float, ...]  # the evidence for the confidence model
    likeliest: tuple[int, float] | None = None  # the service model's likeliest card and its probability


@dataclass(frozen=True)
class SearchHit:
    kind: str  # "service" | "situation"
    id: str  # service id, or "situation:<id>"
    title: str  # in the requested language
    score: float  # 0..100
    # On the first hit of search(): the verdict of the confidence model was "found" or "clarify" (see is_good).
    confident: bool = field(default=False, compare=False)


class SearchEngine:
    def __init__(self, kb) -> None:
        """Build the index once; `kb` needs .services, .situations and .categories."""
        self.index = SearchIndex(kb)
        self.matcher = WordMatcher(self.index)
        self.intent_model = IntentModel.load()
        self.service_model = ServiceModel.build(self.index.name_keys())
        self._doc_of = {d.hit_id: i for i, d in enumerate(self.index.docs)}
        # Load both dictionaries now, not on the first user's query.
        is_known_ru("тест")
        is_known_uk("тест")

    def _readings(self, query: str) -> list[Reading]:
        m = self.matcher
        return readings(query, m.pick_translit, is_known, m.is_indexed_latin, m.is_indexed_spelling)

    def intent_features(self, clean: str, rs: list[Reading] | None = None) -> set[str]:
        """Features of a cleaned message for the intent model (intent_model.py): all its readings, typed first."""
        rs = self._readings(clean) if rs is None else rs
        ordered = [r.tokens for r in rs if r.how == "typed"] + [r.tokens for r in rs if r.how != "typed"]
        return message_features(ordered, self.matcher.in_vocab)

    def _rank(self, query: str, rs: list[Reading]) -> tuple[list[tuple[float, int]], list[QueryWord]]:
        """(score 0..1, doc) best first — the PHRASE_CANDIDATES best of each reading, with the phrase-level
        match — and the words of the winning reading."""
        m = self.matcher
        combined: dict[int, float] = {}
        best = 0.0
        best_words: list[QueryWord] = []
        typed_factors = self._factors(query)
        proper = proper_nouns(query)
        for reading in rs:
            # Less likely readings can only win if nothing convincing was found yet.
            if best >= CONVINCING * reading.factor and reading.how != "typed":
                continue
            words = m.words(reading.tokens, typed_factors, proper)
            if not words:
                continue
            scores = score_reading(self.index, words)
            if not scores:
                continue
            # A query of only weak words («оформити», a number) is not a confident match.
            factor = reading.factor * min(1.0, sum(w.weight for w in words))
            q = sorted_words(" ".join(w.text_key for w in words if w.weight >= 0.5)
                             or " ".join(w.text_key for w in words))
            raw = " ".join(reading.tokens)
            top = heapq.nlargest(PHRASE_CANDIDATES, scores.items(), key=lambda kv: kv[1])
            for d, s in top:
                total = (s + phrase_similarity(self.index, q, raw, d)) * factor
                if total > combined.get(d, 0.0):
                    combined[d] = total
                    if total > best:
                        best = total
                        best_words = words
        return sorted(((s, d) for d, s in combined.items()), key=lambda x: (-x[0], x[1])), best_words

    @staticmethod
    def _factors(query: str) -> tuple[float, ...]:
        """How much each token of the typed query counts (clauses.py): the story around a need counts less."""
        roles = word_roles(query)
        story = STORY_FACTOR if has_need_clause(roles) else 1.0
        return tuple(1.0 if r == "need" else story if r == "story" else CIRCUMSTANCE_FACTOR for _, r in roles)

    def _hits(self, ranked: list[tuple[float, int]], lang: str) -> list[SearchHit]:
        out = []
        for s, d in ranked:
            doc = self.index.docs[d]
            out.append(SearchHit(doc.kind, doc.hit_id, doc.title(lang), round(min(100.0, s * 100.0), 1)))
        return out

    def _judge(self, clean: str, rs: list[Reading] | None = None, feats: set[str] | None = None) -> Judgement:
        """Ranked candidates of a cleaned message, the query's shape, the features of the evidence and the
        service model's likeliest card."""
        rs = self._readings(clean) if rs is None else rs
        ranked, words = self._rank(clean, rs)
        shape = query_shape(words)
        if not ranked:
            return Judgement(ranked, shape, features(shape, None, 0.0, None))
        keys = key_features(self.intent_features(clean, rs) if feats is None else feats)
        ranked = self._reorder(self._specific_first(ranked, words), keys)
        ids = [self.index.docs[d].hit_id for _, d in ranked[:ANSWER_LIMIT]]
        weighing = self.service_model.weigh(keys, ids[0], ids)
        if weighing.likeliest_p >= MODEL_FIRST and weighing.likeliest in ids[1:] and ranked[0][0] < EXACT_NAME:
            # People's words leave no doubt which service this is: it goes first (the places keep their scores).
            ranked = _placed(ranked, self._doc_of[weighing.likeliest], 0)
            ids = [self.index.docs[d].hit_id for _, d in ranked[:ANSWER_LIMIT]]
            weighing = self.service_model.weigh(keys, ids[0], ids)
        first = evidence(self.index, words, ranked[0][1], ranked[0][0])
        x = features(shape, first, self._rival_score(ranked), weighing.evidence)
        doc = self._doc_of.get(weighing.likeliest or "")
        if doc is None:
            return Judgement(ranked, shape, x)
        return Judgement(_offer_third(ranked, doc, weighing.likeliest_p), shape, x, (doc, weighing.likeliest_p))

    def _reorder(self, ranked: list[tuple[float, int]], keys: frozenset[str]) -> list[tuple[float, int]]:
        """The close candidates in the order the service model and the scores agree on (see RERANK_*).
        `keys`: the lemma keys of the message (key_features of intent_features)."""
        if len(ranked) < 2 or ranked[1][0] < RERANK_CLOSE * ranked[0][0]:
            return ranked
        close = [(s, d) for s, d in ranked[:RERANK_DEPTH] if s >= RERANK_CLOSE * ranked[0][0]]
        docs = self.index.docs
        post = self.service_model.posteriors(keys, [docs[d].hit_id for _, d in close])
        order = sorted(close, key=lambda sd: -(sd[0] + RERANK_WEIGHT * post[docs[sd[1]].hit_id]))
        if close[0][0] >= EXACT_NAME:
            # The message is the first card's name («розлучення», «народилася дитина»): it stays first.
            order.remove(close[0])
            order.insert(0, close[0])
        # The places keep their scores: the first is as sure as the scoring's first was.
        return [(s, d) for (s, _), (_, d) in zip(close, order)] + ranked[len(close):]

    def _specific_first(self, ranked: list[tuple[float, int]], words: list[QueryWord]) -> list[tuple[float, int]]:
        """A life situation first, and one of its own services close behind that names more of what was asked:
        the service goes first («мама померла, як отримати гроші на похорон» is the funeral allowance, not
        everything to do after a death; «розлучення» stays the situation)."""
        if len(ranked) < 2:
            return ranked
        docs = self.index.docs
        top_score, top = ranked[0]
        sit = docs[top]
        if sit.kind != "situation":
            return ranked
        own = named_words(self.index, words, top)
        for i, (s, d) in enumerate(ranked[1:MEMBER_LOOKAHEAD + 1], start=1):
            if s < MEMBER_CLOSE * top_score:
                break
            if docs[d].id in sit.members and named_words(self.index, words, d) - own:
                return [(top_score, d), *ranked[:i], *ranked[i + 1:]]
        return ranked

    def _rival_score(self, ranked: list[tuple[float, int]]) -> float:
        """Score of the best candidate that competes with the first (a situation and its own services do not)."""
        if not ranked:
            return 0.0
        docs = self.index.docs
        first = docs[ranked[0][1]]
        for s, d in ranked[1:]:
            doc = docs[d]
            if doc.id not in first.members and first.id not in doc.members:
                return s
        return 0.0

    def _verdict(self, j: Judgement) -> tuple[Verdict, list[tuple[float, int]]]:
        """The verdict and the candidates to show with it."""
        docs = self.index.docs
        candidates = [(s, docs[d].hit_id, docs[d].members) for s, d in j.ranked[:ANSWER_LIMIT]]
        verdict, n = decide(confidence(j.x), candidates, j.shape.content)
        if verdict == "none" and j.likeliest is not None and j.likeliest[1] >= MODEL_MAYBE:
            # The cards' words found nothing convincing, but people's words point to one service: ask.
            d = j.likeliest[0]
            return "maybe", [(next((s for s, e in j.ranked if e == d), 0.0), d)]
        return verdict, j.ranked[:n]

    # ---- public API ------------------------------------------------------

    def search(self, query: str, lang: str = "uk", limit: int = 5) -> list[SearchHit]:
        """The ranking alone (no intents, no verdict); the first hit carries `confident`."""
        if not query or not query.strip() or limit <= 0:
            return []
        j = self._judge(query[:MAX_QUERY_CHARS])
        hits = self._hits(j.ranked[:limit], lang)
        if hits and self._verdict(j)[0] in CONFIDENT:
            hits[0] = replace(hits[0], confident=True)
        return hits

    def answer(self, text: str, lang: str = "uk") -> Answer:
        """What the message asks and how sure we are (see knowledge/search/answer.py)."""
        clean = clean_text(text or "", MAX_QUERY_CHARS)
        intent = detect_intent(clean)
        if intent.name in ("status-lookup", "greeting", "thanks") or not clean:
            return make_answer(clean, intent, "none", [])
        rs = self._readings(clean)
        features: set[str] | None = None
        if intent.name is None:
            features = self.intent_features(clean, rs)
            intent = self._learnt_intent(features, MODEL_SURE)
        # A question about the CNAP or for a person may name a service too («графік роботи цнапу, хочу
        # подати на субсидію»): the search looks at the rest of the message.
        rest = without_intent_words(clean, intent.name)
        verdict, hits = self._search(rest, rs if rest == clean else None, lang, features if rest == clean else None)
        if features is not None and intent.name is None and verdict not in CONFIDENT:
            # Nothing found for sure: a weaker cue of a question about the CNAP, the bot or a person will do.
            intent = detect_intent(clean, lenient=True)
            if intent.name is None:
                intent = self._learnt_intent(features, MODEL_LENIENT)
            new_rest = without_intent_words(clean, intent.name)
            if new_rest != rest:
                verdict, hits = self._search(new_rest, None, lang)
        return make_answer(clean, intent, verdict, hits)

    def _search(self, text: str, rs: list[Reading] | None, lang: str,
                feats: set[str] | None = None) -> tuple[Verdict, list[SearchHit]]:
        """The verdict and hits for `text` (its readings `rs` and features `feats` when already made)."""
        verdict, shown = self._verdict(self._judge(text, rs, feats))
        return verdict, self._hits(shown, lang)

    def _learnt_intent(self, features: set[str], threshold: float) -> Intent:
        """The intent model's answer (intent_model.py) when it is at least this sure; Intent(None) otherwise."""
        label, p = self.intent_model.predict(features)
        if label == NO_INTENT or p < threshold:
            return Intent(None)
        name, _, topic = label.partition(":")
        return Intent(name, contact_topic=topic if topic and topic != "all" else None)

    def probe(self, text: str) -> tuple[list[str], tuple[float, ...], float] | None:
        """(first three ids, confidence features, the service model's probability of its likeliest card) of
        a message that is a search; None for an intent.

        For fitting the confidence model (bench/fit_confidence.py).
        """
        clean = clean_text(text or "", MAX_QUERY_CHARS)
        if detect_intent(clean).name is not None:
            return None
        j = self._judge(clean)
        return [self.index.docs[d].hit_id for _, d in j.ranked[:3]], j.x, j.likeliest[1] if j.likeliest else 0.0

    def is_good(self, hits: list[SearchHit]) -> bool:
        """Whether the top hit of search() is a confident answer (else say honestly "nothing found").

        Kept for existing callers; answer() tells found / clarify / none and recognises intents.
        """
        return bool(hits) and hits[0].confident


def _offer_third(ranked: list[tuple[float, int]], doc: int, p: float) -> list[tuple[float, int]]:
    """The service people's words point to (`doc`, probability `p`), third when the scoring did not rank it
    that high: a story whose need the cards word otherwise («прийшла платіжка на 4 тисячі, а пенсія…» is
    the subsidy) still shows it. The first (and so the verdict) stays as it is."""
    if p < MODEL_CANDIDATE or len(ranked) < 2 or doc in (d for _, d in ranked[:3]):
        return ranked
    return _placed(ranked, doc, 2)


def _placed(ranked: list[tuple[float, int]], doc: int, place: int) -> list[tuple[float, int]]:
    """`doc` at `place`, the others after it in their order; the places keep their scores (a doc that was not
    ranked adds a place with the last score)."""
    docs = [d for _, d in ranked if d != doc]
    docs.insert(place, doc)
    scores = [s for s, _ in ranked]
    return list(zip(scores + scores[-1:] * (len(docs) - len(scores)), docs))


def clear_query_caches() -> None:
    """Forget cached word analyses (lemmas, keys, stems, dictionary look-ups).

    For benchmarks that want to time a query as if its words were new; a
    running bot never needs this.
    """
    from knowledge.search import analysis, intent_model, intents, morph, normalize, stem, translit

    for fn in (morph.analyse, morph.is_known_uk, morph.is_known_ru, analysis.word_keys, analysis.query_word_keys,
               stem.stems, normalize._tokens, translit._variants):
        fn.cache_clear()
    intents.clear_caches()
    intent_model.clear_caches()


__all__ = ["SearchEngine", "SearchHit", "Answer", "clear_query_caches"]
