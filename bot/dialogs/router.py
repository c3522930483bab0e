"""Registries that map buttons, commands, deep links and awaited text to flow code.

Each flow module owns a `Router`; `bot.dialogs.flows` includes them all into one.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.dialogs.context import Context

Handler = Callable[..., Awaitable[Any]]


@dataclass(frozen=True)
class Action:
    name: str
    handler: Handler
    screen: bool  # a place the person can come "Back" to
    stateful: bool  # only valid on the latest message (carries the screen nonce)
    min_args: int = 0  # how many payload arguments the handler takes (checked once, at registration)
    max_args: int = 0

    def accepts(self, n: int) -> bool:
        return self.min_args <= n <= self.max_args


def _arity(fn: Handler) -> tuple[int, int]:
    params = [p for p in list(inspect.signature(fn).parameters.values())[1:] if p.kind == p.POSITIONAL_OR_KEYWORD]
    return sum(p.default is inspect.Parameter.empty for p in params), len(params)


@dataclass
class Router:
    actions: dict[str, Action] = field(default_factory=dict)
    commands: dict[str, Handler] = field(default_factory=dict)
    deeplinks: dict[str, Handler] = field(default_factory=dict)
    text_inputs: dict[str, Handler] = field(default_factory=dict)
    forget_hooks: list[Handler] = field(default_factory=list)  # run before /forget deletes a person

    def action(self, name: str, *, screen: bool = False, stateful: bool = False) -> Callable[[Handler], Handler]:
        def deco(fn: Handler) -> Handler:
            self._add(self.actions, name, Action(name, fn, screen, stateful, *_arity(fn)))
            return fn

        return deco

    def command(self, *names: str) -> Callable[[Handler], Handler]:
        def deco(fn: Handler) -> Handler:
            for n in names:
                self._add(self.commands, n, fn)
            return fn

        return deco

    def deeplink(self, prefix: str) -> Callable[[Handler], Handler]:
        """Handle `/start <prefix>_<rest>` (Telegram) or a Viber `context` of the same form."""

        def deco(fn: Handler) -> Handler:
            self._add(self.deeplinks, prefix, fn)
            return fn

        return deco

    def text_input(self, name: str) -> Callable[[Handler], Handler]:
        """Handle free text while the conversation awaits `name` (e.g. an application number)."""

        def deco(fn: Handler) -> Handler:
            self._add(self.text_inputs, name, fn)
            return fn

        return deco

    def on_forget(self, fn: Handler) -> Handler:
        """Run `fn(ctx)` just before the person's data is deleted (e.g. tell their social worker)."""
        self.forget_hooks.append(fn)
        return fn

    def include(self, other: Router) -> None:
        self.forget_hooks.extend(other.forget_hooks)
        for mine, theirs in (
            (self.actions, other.actions),
            (self.commands, other.commands),
            (self.deeplinks, other.deeplinks),
            (self.text_inputs, other.text_inputs),
        ):
            for key, value in theirs.items():
                self._add(mine, key, value)

    @staticmethod
    def _add(table: dict, key: str, value: Any) -> None:
        if key in table:
            raise ValueError(f"{key!r} is registered twice")
        table[key] = value
