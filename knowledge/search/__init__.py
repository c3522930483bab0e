"""Service search for Hromada Bot: typo-, inflection-, layout- and translit-tolerant.

`SearchEngine.answer(text, lang)` is what a chat calls (intents, hygiene, verdict: see answer.py);
`SearchEngine.search(query, lang, limit)` is the plain ranking.
"""

from knowledge.search.answer import Answer
from knowledge.search.engine import SearchEngine, SearchHit

__all__ = ["Answer", "SearchEngine", "SearchHit"]
