"""`run_bot.py kb check`: validate the knowledge base and report every problem."""

from __future__ import annotations

import sys
from pathlib import Path

NAME = "kb"
HELP = "knowledge-base tools"
ORDER = 41


def add_arguments(parser) -> None:
    parser.add_argument("action", choices=["check"])
    parser.add_argument("--required", type=Path, default=None, help="CSV of service ids that must be present")


def run(args, settings) -> int:
    from knowledge.check import run_check

    return run_check(settings.kb_dir, args.required, sys.stdout)
