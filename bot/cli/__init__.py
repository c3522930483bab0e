"""Command-line subcommands of run_bot.py: one module per command.

A module defines NAME, HELP, `add_arguments(parser)` and `run(args, settings) -> int`
(an exit code); run_bot.py discovers them, so a new command is a new file here.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType


def commands() -> list[ModuleType]:
    mods = [importlib.import_module(f"{__name__}.{m.name}") for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")]
    return sorted((m for m in mods if hasattr(m, "NAME")), key=lambda m: (getattr(m, "ORDER", 50), m.NAME))
