"""Query words -> vocabulary keys they may stand for, with a similarity 0..1.

Exact keys first; then Russian/surzhyk equivalents (lexicon.py); a misspelt
key is looked up fuzzily in the vocabulary (OSA edit distance, only among keys
of similar length), an unknown one also by shared prefix, and every key by its
derivational stem («зареєструвати» ~ «реєстрація»). Look-ups are cached.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA

from knowledge.search.analysis import query_word_keys, token_weight, word_keys
from knowledge.search.index import SearchIndex
from knowledge.search.lexicon import split_compound
from knowledge.search.morph import is_known
from knowledge.search.normalize import fold
from knowledge.search.stem import stems
from knowledge.search.stopwords import drop_stop_phrases, is_stop_word

LEXICON_SIM = 0.95  # a Russian word for its Ukrainian equivalent, «поміняти» for «обміняти»
STEM_SIM = 0.8  # a related word with the same stem
DICTIONARY_WORD_FUZZY = 0.85  # fuzzy matches of a real dictionary word count less
ABBREVIATION_SIM = 0.9  # «фопка» for «ФОП»
# Endings and slang suffixes people put on an abbreviation (folded: і -> и), «фоп» + «у», «ка», «чик», «шник»...
ABBREVIATION_SUFFIXES = frozenset(fold(s) for s in (
    "у а ом ові і и ах ам ами "
    "ка ку ки кою ці ок очка очку "
    "чик чика чику чики чиком "
    "шник шника шнику шники шників шникам шниками шниця шниці шницею ешник ешника ешники ешникам "
    "івець івця івці івцям").split())
MAX_STEM_KEYS = 8
MAX_KEYS_PER_WORD = 8
TRANSLIT_ANALYSED = 4  # transliteration variants worth a morphological look-up
DIGIT_WEIGHT = 0.3  # a number («14 років») says little about the service…
CODE_DIGITS = 3  # …unless a card is named by it: a form or hotline number («086», «1547») is a code


@dataclass
class QueryWord:
    weight: float  # 1 meaningful, WEAK_WEIGHT generic verb
    idf: float
    matches: list[tuple[str, float]]  # (vocabulary key, similarity 0..1), best first
    text_key: str  # the key used for the phrase-level match
    token: str = ""  # the word as typed (lower case)
    factor: float = 1.0  # the share of its weight kept for where it stands (story, condition: clauses.py)


def _max_edits(n: int) -> int:
    if n <= 3:
        return 0
    if n <= 5:
        return 1
    if n <= 10:
        return 2
    return 3


MATCH_CACHE_SIZE = 50_000


class WordMatcher:
    def __init__(self, index: SearchIndex) -> None:
        self.index = index
        # A plain dict, not lru_cache on a bound method: that would be a
        # reference cycle keeping a replaced index alive until a full GC.
        self._cache: dict[tuple[str, bool], tuple[tuple[str, float], ...]] = {}

    def clear_cache(self) -> None:
        self._cache.clear()

    def _match_cache(self, key: str, dictionary_word: bool) -> tuple[tuple[str, float], ...]:
        ck = (key, dictionary_word)
        hit = self._cache.get(ck)
        if hit is None:
            if len(self._cache) >= MATCH_CACHE_SIZE:
                self._cache.clear()
            hit = self._cache[ck] = self._match_key_uncached(key, dictionary_word)
        return hit

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
                window = idx.fuzzy_candidates(key, d_max)
                if window:
                    for cand, dist, _ in process.extract(
                        key, window, scorer=OSA.distance, score_cutoff=d_max, limit=12
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
        # A word made from an abbreviation of the KB: «фопку», «фопчик», «впошникам», «кепчик».
        if not dictionary_word and key not in idx.vocab:
            for k in (3, 4, 5, 6):
                if key[:k] in idx.abbreviations and key[k:] in ABBREVIATION_SUFFIXES:
                    found[key[:k]] = max(found.get(key[:k], 0.0), ABBREVIATION_SIM)
        # Related words: a verb for its noun («зареєструвати» ~ «реєстрація»).
        for st in stems(key):
            for cand in idx.by_stem.get(st, ())[:MAX_STEM_KEYS]:
                if found.get(cand, 0) < STEM_SIM:
                    found[cand] = STEM_SIM
        best = sorted(found.items(), key=lambda kv: -kv[1])[:10]
        return tuple(best)

    def pick_translit(self, latin: str, variants: list[str]) -> str:
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

    def is_indexed_spelling(self, token: str) -> bool:
        return fold(token) in self.index.vocab

    def is_indexed_latin(self, token: str) -> bool:
        return any(k in self.index.vocab for k in word_keys(token))

    def in_vocab(self, token: str) -> bool:
        own, extra = query_word_keys(token)
        return any(k in self.index.vocab for k in own + extra)

    def words(self, tokens: tuple[str, ...], factors: tuple[float, ...] | None = None,
              proper: frozenset[str] = frozenset()) -> list[QueryWord]:
        """The meaningful words of one reading with their matches (stop words dropped).

        Words in `proper` (capitalised inside a sentence: a place, a name) count only if the KB uses them.

        `factors` (one per token, clauses.py): how much each word counts — less in the story
        around the need or in a condition clause. A word said twice counts by its best place.
        """
        idx = self.index
        fs = list(factors) if factors is not None and len(factors) == len(tokens) else [1.0] * len(tokens)
        # Join neighbours written apart that the KB has as one word («загран паспорт»).
        toks = list(tokens)
        i = 0
        joined: list[tuple[str, float]] = []
        while i < len(toks):
            # (Two real words only: «ні? де» is not «ніде».)
            if i + 1 < len(toks) and not is_stop_word(toks[i]) and not is_stop_word(toks[i + 1]):
                pair = toks[i] + toks[i + 1]
                own, _ = query_word_keys(pair)
                if any(k in idx.vocab for k in own) and not any(k in idx.vocab for k in query_word_keys(toks[i])[0]):
                    joined.append((pair, max(fs[i], fs[i + 1])))
                    i += 2
                    continue
            joined.append((toks[i], fs[i]))
            i += 1
        # Stump compounds the KB does not know as one word: «медогляд» -> «медичний огляд».
        split: list[tuple[str, float]] = []
        for tok, f in joined:
            parts = None
            if len(tok) >= 6 and not tok.isascii() and not self.in_vocab(tok):
                parts = split_compound(tok, self.in_vocab)
            split.extend((p, f) for p in (parts or (tok,)))
        # A word said twice is not a bigger need: count each once, by its best place.
        factor: dict[str, float] = {}
        for tok, f in split:
            factor[tok] = max(f, factor.get(tok, 0.0))
        words: list[QueryWord] = []
        for tok in dict.fromkeys(drop_stop_phrases([t for t, _ in split])):
            known_to_kb = self.in_vocab(tok)
            weight = 0.0 if tok in proper and not known_to_kb else token_weight(tok, known_to_kb)
            if weight == 0.0:
                continue
            if tok.isdigit() and not (len(tok) >= CODE_DIGITS and tok in idx.name_post):
                weight = min(weight, DIGIT_WEIGHT)
            place = factor.get(tok, 1.0)
            weight *= place
            own, extra = query_word_keys(tok)
            known = not tok.isascii() and is_known(tok)
            found: dict[str, float] = {}
            for k in own:
                for cand, sim in self._match_cache(k, known):
                    if found.get(cand, 0) < sim:
                        found[cand] = sim
            for k in extra:  # an equivalent («брак» -> «шлюб»), and its related words («зареєструвати» ~ «реєстрація»)
                for cand, sim in self._match_cache(k, True):
                    if sim >= STEM_SIM and found.get(cand, 0) < sim * LEXICON_SIM:
                        found[cand] = sim * LEXICON_SIM
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
            words.append(QueryWord(weight, idf, matches, text_key, tok, place))
        return words


__all__ = ["QueryWord", "WordMatcher", "LEXICON_SIM", "STEM_SIM"]
