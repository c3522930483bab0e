"""`run_bot.py search`: try the service search; without a query, one JSON line per stdin line."""

from __future__ import annotations

import sys

NAME = "search"
HELP = "try the service search (reads queries from stdin without QUERY)"
ORDER = 42


def add_arguments(parser) -> None:
    parser.add_argument("query", nargs="*")
    parser.add_argument("--lang", choices=["uk", "en"], default="uk")
    parser.add_argument("--limit", type=int, default=5)
    parser.add_argument("--json", action="store_true")


def run(args, settings) -> int:
    from knowledge.loader import DATA_DIR, load_kb
    from knowledge.search.cli import run_search

    kb = load_kb(settings.kb_dir or DATA_DIR)
    query = " ".join(args.query) or None
    return run_search(query, lang=args.lang, limit=args.limit, as_json=args.json, kb=kb, stdin=sys.stdin, stdout=sys.stdout)
