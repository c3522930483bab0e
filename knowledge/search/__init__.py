"""Service search for Hromada Bot: typo-, inflection-, layout- and translit-tolerant."""

from knowledge.search.engine import SearchEngine, SearchHit

__all__ = ["SearchEngine", "SearchHit"]
