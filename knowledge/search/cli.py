"""Command-line front end of the search: one query, or one query per stdin line.

`run_search` is wired into the project CLI by its caller; it takes the streams
and the loaded KB as arguments so that tests can drive it directly.
"""

from __future__ import annotations

import json
from typing import TextIO

from knowledge.search.answer import CONFIDENT
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


def _payload(engine: SearchEngine, query: str, lang: str, limit: int) -> dict:
    """One query's JSON object: the ranking, and the answer the bot would give."""
    hits = engine.search(query, lang=lang, limit=limit)
    a = engine.answer(query, lang=lang)
    return {
        "query": query,
        "results": [_hit_dict(h) for h in hits],
        "confident": a.verdict in CONFIDENT,
        "verdict": a.verdict,
        "answer": [h.id for h in a.hits],
        "intent": a.intent,
        "contact_topic": a.contact_topic,
        "app_number": a.app_number,
    }


def run_search(query: str | None, *, lang: str, limit: int, as_json: bool, kb, stdin: TextIO, stdout: TextIO) -> int:
    """Print search results. Returns the process exit code.

    * query given, as_json False: the verdict, then a numbered human-readable list (or "nothing found").
    * query given, as_json True: one JSON object (below).
    * query None: read queries from stdin, one per line; print one JSON object per line.

    JSON object: {"query", "results": [{"id", "kind", "title", "score"}] (the ranking),
    "confident" (verdict "found" or "clarify"), "verdict" ("found" | "clarify" | "maybe" | "none"),
    "answer" (ids the bot would show), "intent", "contact_topic", "app_number"}.
    """
    engine = _engine_for(kb)
    if query is None:
        for line in stdin:
            q = line.strip()
            if not q:
                continue
            stdout.write(json.dumps(_payload(engine, q, lang, limit), ensure_ascii=False) + "\n")
        stdout.flush()
        return 0

    payload = _payload(engine, query, lang, limit)
    if as_json:
        stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")
        return 0
    if payload["intent"]:
        detail = payload["contact_topic"] or payload["app_number"] or ""
        stdout.write(f"Намір / intent: {payload['intent']} {detail}".rstrip() + "\n")
    hits = engine.search(query, lang=lang, limit=limit)
    if not hits:
        stdout.write("Нічого не знайдено / Nothing found\n")
        return 0
    if payload["verdict"] == "none":
        stdout.write("Точного збігу немає; можливо, ви мали на увазі / No confident match; maybe you meant:\n")
    elif payload["verdict"] == "maybe":
        stdout.write("Не впевнений; можливо / Not sure; maybe: " + ", ".join(payload["answer"]) + "\n")
    elif payload["verdict"] == "clarify":
        stdout.write("Уточніть, будь ласка / Please choose: " + ", ".join(payload["answer"]) + "\n")
    for n, h in enumerate(hits, 1):
        stdout.write(f"{n}. [{h.score:5.1f}] {h.title}  ({h.id})\n")
    return 0


__all__ = ["run_search"]
