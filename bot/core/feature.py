"""A feature: one unit of the bot (menu, services, checklists, status, feedback, reminders, staff).

A feature owns its flows (a `Router`), how its outbox messages look (renderers), what happens once
one of them was sent (settled hooks), what it must do when a person can no longer be reached or
asks to be forgotten, its main-menu entries, its HTTP routes and its pages in the staff web
console. The composition root (bot/app.py) lists the features explicitly; nothing registers itself
by being imported.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.router import Router
from bot.core.services import Services

if TYPE_CHECKING:
    from aiohttp import web

    from bot.core.events import Reply
    from bot.i18n import Translator
    from storage.models import User


@dataclass(frozen=True)
class RenderContext:
    """What a renderer gets when an outbox row is about to be sent (in the recipient's language)."""

    session: AsyncSession
    services: Services
    user: User
    t: Translator


# (context, row payload) -> the replies to send, or None when there is nothing to say any more.
Renderer = Callable[[RenderContext, dict[str, Any]], Awaitable["list[Reply] | None"]]
# (session, services, settled row, outcome): in the transaction that records the outcome.
SettledHook = Callable[[AsyncSession, Services, Any, Any], Awaitable[None]]
# (session, services, user id, reason): the person can no longer be written to.
UnreachableHook = Callable[[AsyncSession, Services, int, str], Awaitable[None]]
# (session, services, user id): just before everything about the person is deleted.
ForgetHook = Callable[[AsyncSession, Services, int], Awaitable[None]]
# (web application, services, database): add HTTP routes under `serve`.
WebMount = Callable[["web.Application", Services, Any], None]


@dataclass(frozen=True)
class MenuEntry:
    label: str  # an English msgid (N_), translated when the menu is drawn
    action: str
    order: int
    roles: frozenset[str] = frozenset()  # shown to people with any of these roles; empty: to everyone
    row: str = ""  # entries with the same non-empty row share one row of buttons


@dataclass(frozen=True)
class ConsolePage:
    """A page of the staff web console (bot/webui) that a feature contributes.

    The handler gets a `bot.webui.ConsoleRequest` (the signed-in person, their roles and offices,
    the database, translation, rendering) and returns an aiohttp response. Every console page
    requires sign-in; `roles` says who may open it (any of them).
    """

    path: str  # under /console, e.g. "/feedback"; "{name}" parts as in aiohttp routes
    handler: Callable[[Any], Awaitable[Any]]
    roles: frozenset[str]
    method: str = "GET"  # "GET" or "POST" (a POST is refused without the form's CSRF token)
    nav: str = ""  # an English msgid (N_): the page's entry in the console's navigation, if any
    order: int = 50


@dataclass(frozen=True)
class Feature:
    name: str
    routers: tuple[Router, ...] = ()
    menu: tuple[MenuEntry, ...] = ()
    renderers: Mapping[str, Renderer] = field(default_factory=dict)
    settled: Mapping[str, SettledHook] = field(default_factory=dict)
    on_unreachable: UnreachableHook | None = None
    on_forget: ForgetHook | None = None
    web: WebMount | None = None
    # Shown before the first answer to a new person (the privacy notice); one feature provides it.
    on_first_contact: Callable[[Any], Awaitable[None]] | None = None
    # Raise at start-up if the feature's own data is broken (e.g. a survey file).
    check: Callable[[Services], None] | None = None
    # Pages of the staff web console (served under /console by `serve`).
    console: tuple[ConsolePage, ...] = ()
