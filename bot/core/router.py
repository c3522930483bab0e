"""Registries that map buttons, commands, deep links and awaited input to flow code.

Each feature owns one `Router` named after it; the composition root merges them into the
`Routes` the engine dispatches on. Every entry remembers which feature registered it, so the
engine knows when a person leaves a feature (its flow state is dropped) — see core/state.py.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

Handler = Callable[..., Awaitable[Any]]

# Actions that belong to no feature: pressing them does not mean leaving the current flow.
NEUTRAL = ""


@dataclass(frozen=True)
class Action:
    name: str
    handler: Handler
    screen: bool  # a place the person can come "Back" to
    stateful: bool  # only valid on the latest message (carries the screen nonce)
    min_args: int = 0  # how many payload arguments the handler takes (checked once, at registration)
    max_args: int = 0
    owner: str = NEUTRAL

    def accepts(self, n: int) -> bool:
        return self.min_args <= n <= self.max_args


@dataclass(frozen=True)
class Entry:
    handler: Handler
    owner: str


def _arity(fn: Handler) -> tuple[int, int]:
    params = [p for p in list(inspect.signature(fn).parameters.values())[1:] if p.kind == p.POSITIONAL_OR_KEYWORD]
    return sum(p.default is inspect.Parameter.empty for p in params), len(params)


@dataclass
class Router:
    """One feature's registrations."""

    name: str
    neutral: bool = False  # its actions do not count as entering the feature (Back, the menu's help…)
    actions: dict[str, Action] = field(default_factory=dict)
    commands: dict[str, Entry] = field(default_factory=dict)
    deeplinks: dict[str, Entry] = field(default_factory=dict)
    text_inputs: dict[str, Entry] = field(default_factory=dict)
    location_inputs: dict[str, Entry] = field(default_factory=dict)

    @property
    def owner(self) -> str:
        return NEUTRAL if self.neutral else self.name

    def action(self, name: str, *, screen: bool = False, stateful: bool = False,
               neutral: bool = False) -> Callable[[Handler], Handler]:
        def deco(fn: Handler) -> Handler:
            owner = NEUTRAL if neutral else self.owner
            _add(self.actions, name, Action(name, fn, screen, stateful, *_arity(fn), owner=owner))
            return fn

        return deco

    def command(self, *names: str) -> Callable[[Handler], Handler]:
        def deco(fn: Handler) -> Handler:
            for n in names:
                _add(self.commands, n, Entry(fn, self.owner))
            return fn

        return deco

    def deeplink(self, prefix: str) -> Callable[[Handler], Handler]:
        """Handle `/start <prefix>_<rest>` (Telegram) or a Viber `context` of the same form."""

        def deco(fn: Handler) -> Handler:
            _add(self.deeplinks, prefix, Entry(fn, self.owner))
            return fn

        return deco

    def text_input(self, name: str) -> Callable[[Handler], Handler]:
        """Handle free text while the conversation awaits `name` (e.g. an application number)."""

        def deco(fn: Handler) -> Handler:
            _add(self.text_inputs, name, Entry(fn, self.owner))
            return fn

        return deco

    def location_input(self, name: str) -> Callable[[Handler], Handler]:
        """Handle a shared location while the conversation awaits `name`."""

        def deco(fn: Handler) -> Handler:
            _add(self.location_inputs, name, Entry(fn, self.owner))
            return fn

        return deco


@dataclass(frozen=True)
class Routes:
    """Every feature's registrations merged; a name registered twice is an error at start."""

    actions: dict[str, Action]
    commands: dict[str, Entry]
    deeplinks: dict[str, Entry]
    text_inputs: dict[str, Entry]
    location_inputs: dict[str, Entry]

    @classmethod
    def merge(cls, routers: Iterable[Router]) -> Routes:
        tables: dict[str, dict[str, Any]] = {k: {} for k in ("actions", "commands", "deeplinks", "text_inputs",
                                                            "location_inputs")}
        for router in routers:
            for name, table in tables.items():
                for key, value in getattr(router, name).items():
                    _add(table, key, value)
        return cls(**tables)


def _add(table: dict, key: str, value: Any) -> None:
    if key in table:
        raise ValueError(f"{key!r} is registered twice")
    table[key] = value
