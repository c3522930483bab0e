"""The composition root: settings → database → knowledge base → features → channels → engine, delivery, web.

This is the one place that names every feature and every channel. Adding a feature or a channel
is one package plus one line in FEATURES or CHANNELS (see ARCHITECTURE.md).
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.channels import console, telegram, viber
from bot.channels.base import Channel, Runtime
from bot.config import Settings
from bot.core.clock import Clock, SystemClock
from bot.core.engine import Engine
from bot.core.events import Incoming, Reply
from bot.core.feature import Feature
from bot.core.live_search import LiveSearch
from bot.core.privacy import Privacy
from bot.core.reach import Reachability
from bot.core.router import Routes
from bot.core.services import Services
from bot.delivery.sender import Pacing, Sender
from bot.delivery.worker import DeliveryWorker
from bot.features import checklists, feedback, figures, menu, reminders, services, staff, status, webconsole
from bot.links import DeepLinks
from knowledge.loader import DATA_DIR, KnowledgeBase, load_kb
from storage.db import Database, open_database

log = logging.getLogger(__name__)

FEATURES: tuple[Feature, ...] = (
    menu.FEATURE,
    services.FEATURE,
    checklists.FEATURE,
    status.FEATURE,
    feedback.FEATURE,
    reminders.FEATURE,
    staff.FEATURE,
    webconsole.FEATURE,
    figures.FEATURE,
)

CHANNELS: tuple[Channel, ...] = (
    console.CHANNEL_PLUGIN,
    telegram.CHANNEL_PLUGIN,
    viber.CHANNEL_PLUGIN,
)


def secrets_of(settings: Settings, channels: Iterable[Channel] = CHANNELS) -> list[str]:
    """Every value that must never reach a log line: secret settings and what channels declare."""
    values = settings.secret_values()
    for channel in channels:
        values += channel.secrets(settings)
    return sorted(set(v for v in values if v), key=len, reverse=True)


def build_search(kb: KnowledgeBase) -> Any:
    from knowledge.search import SearchEngine

    cached = getattr(kb, "_search_engine", None)
    if cached is not None:  # one index per loaded knowledge base (tests build many apps on one KB)
        return cached
    started = time.perf_counter()
    engine = SearchEngine(kb)
    kb._search_engine = engine  # type: ignore[attr-defined]
    # The index is built once and lives as long as the process: take it out of the garbage
    # collector's sight, or a full collection pauses a search for ~30 ms now and then.
    gc.collect()
    gc.freeze()
    log.info("search index built in %.0f ms for %d services", (time.perf_counter() - started) * 1000, len(kb.services))
    return engine


def _new_search(kb: KnowledgeBase) -> Any:
    from knowledge.search import SearchEngine

    return SearchEngine(kb)


class App:
    """One running bot process: what the channels, the CLI and the web server work with."""

    def __init__(self, settings: Settings, db: Database, services: Services, features: Sequence[Feature],
                 channels: Sequence[Channel], *, raise_errors: bool = False):
        self.settings = settings
        self.db = db
        self.services = services
        self.kb = services.kb
        self.features = tuple(features)
        self.channels = {c.name: c for c in channels}
        routers = [r for f in self.features for r in f.routers]
        self.routes = Routes.merge(routers)
        self.reach = Reachability(services, [f.on_unreachable for f in self.features if f.on_unreachable])
        self.privacy = Privacy(services, [f.on_forget for f in self.features if f.on_forget])
        welcome = [f.on_first_contact for f in self.features if f.on_first_contact]
        if len(welcome) > 1:
            raise ValueError("more than one feature greets new people")
        self.engine = Engine(db, services, self.routes, privacy=self.privacy,
                             menu=tuple(e for f in self.features for e in f.menu),
                             first_contact=welcome[0] if welcome else None, raise_errors=raise_errors)

    # --- the Host protocol the channels use (bot/channels/base.py) ---------------------------
    async def handle(self, incoming: Incoming) -> list[Reply]:
        return await self.engine.handle(incoming)

    def is_action(self, name: str) -> bool:
        return self.engine.is_action(name)

    async def unreachable(self, channel: str, external_id: str, reason: str) -> None:
        async with self.db.sessions() as session, session.begin():
            await self.reach.lost_external(session, channel, external_id, reason)

    # --- channels, delivery, web -----------------------------------------------------------------
    def open_channels(self, names: Iterable[str] | None = None) -> list[Runtime]:
        """Open the named channels (default: every channel whose settings enable it)."""
        wanted = list(names) if names is not None else [n for n, c in self.channels.items() if c.enabled(self.settings)]
        return [self.channels[name].open(self) for name in wanted]

    def pacing(self) -> dict[str, Pacing]:
        out = {}
        for name, channel in self.channels.items():
            p = channel.pacing(self.settings)
            if p is not None:
                out[name] = p
        return out

    def delivery_worker(self, senders: list[Sender], **options: Any) -> DeliveryWorker:
        """The outbox worker for these senders, with every feature's renderers and hooks."""
        return DeliveryWorker(
            self.db, self.services, senders,
            renderers={kind: fn for f in self.features for kind, fn in f.renderers.items()},
            settled={kind: fn for f in self.features for kind, fn in f.settled.items()},
            reach=self.reach, pacing=self.pacing(), **options,
        )

    def web_app(self, runtimes: list[Runtime]) -> web.Application:
        from bot.web.server import build_web_app

        return build_web_app(self, runtimes)

    async def close(self) -> None:
        await self.db.dispose()


async def build_app(
    settings: Settings,
    *,
    kb: KnowledgeBase | None = None,
    features: Sequence[Feature] = FEATURES,
    channels: Sequence[Channel] = CHANNELS,
    migrate: bool = True,
    clock: Clock | None = None,
    raise_errors: bool = False,
    search: bool = True,
) -> App:
    db = await open_database(settings.database_url, migrate=migrate)
    kb_dir = Path(settings.kb_dir) if settings.kb_dir else DATA_DIR
    kb = kb or load_kb(kb_dir)
    # Rebuilt in this process when the community's synonyms change (the staff console links unanswered queries).
    live = LiveSearch(build_search(kb), kb, kb_dir, _new_search) if search else None
    services = Services(settings=settings, kb=kb, search=live,
                        clock=clock or SystemClock(), deep_links=DeepLinks(channels, settings))
    for feature in features:
        if feature.check is not None:
            feature.check(services)
    return App(settings, db, services, features, channels, raise_errors=raise_errors)
