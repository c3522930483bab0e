"""Command-line front end of the search: one query, or one query per stdin line.

`run_search` is wired into the project CLI by its caller; it takes the streams
and the loaded KB as arguments so that tests can drive it directly.
"""

from __future__ import annotations

import json
from typing import TextIO

from knowledge.search.engine import SearchEngine, SearchHit


def _hit_dict(hit: SearchHit) -> dict:
    return {"id": hit.id, "kind": hit.kind, "title": hit.title, "score": hit.score}


def _engine_for(kb) -> SearchEngine:
    # Build once per KB object; a stdin batch reuses the same engine.
    cached = getattr(kb, "_search_engine", None)
    if isinstance(cached, SearchEngine):
        return cached
    engine = SearchEngine(kb)
    try:
        object.__setattr__(kb, "_search_engine", engine)
    except (AttributeError, TypeError):
        pass
    return engine


def run_search(query: str | None, *, lang: str, limit: int, as_json: bool, kb, stdin: TextIO, stdout: TextIO) -> int:
    """Print search results. Returns the process exit code.

    * query given, as_json False: a numbered human-readable list (or "nothing found").
    * query given, as_json True: one JSON object {"query", "results", "confident"}.
    * query None: read queries from stdin, one per line; print one JSON line per
      query: {"query": ..., "results": [{"id", "kind", "title", "score"}]}.
    """
    engine = _engine_for(kb)
    if query is None:
        for line in stdin:
            q = line.strip()
            if not q:
                continue
            hits = engine.search(q, lang=lang, limit=limit)
            stdout.write(json.dumps({"query": q, "results": [_hit_dict(h) for h in hits]}, ensure_ascii=False) + "\n")
        stdout.flush()
        return 0

    hits = engine.search(query, lang=lang, limit=limit)
    good = engine.is_good(hits)
    if as_json:
        payload = {"query": query, "results": [_hit_dict(h) for h in hits], "confident": good}
        stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")
        return 0
    if not hits:
        stdout.write("Нічого не знайдено / Nothing found\n")
        return 0
    if not good:
        stdout.write("Точного збігу немає; можливо, ви мали на увазі / No confident match; maybe you meant:\n")
    for n, h in enumerate(hits, 1):
        stdout.write(f"{n}. [{h.score:5.1f}] {h.title}  ({h.id})\n")
    return 0


__all__ = ["run_search"]
