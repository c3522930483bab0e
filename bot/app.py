"""The composition root: settings → database → knowledge base → features → channels → engine, delivery, web.

This is the one place that names every feature and every channel. Adding a feature or a channel
is one package plus one line in FEATURES or CHANNELS (see ARCHITECTURE.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import threading
import time
from collections.abc import AsyncIterator, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.channels import console, telegram, viber
from bot.channels.base import Channel, Runtime
from bot.config import Settings
from bot.core.clock import Clock, SystemClock
from bot.core.engine import Engine, Handled
from bot.core.events import Incoming, Reply
from bot.core.feature import Feature
from bot.core.live_search import LiveSearch
from bot.core.privacy import Privacy
from bot.core.reach import Reachability
from bot.core.router import Routes
from bot.core.services import Services
from bot.delivery import outbox
from bot.delivery import replies as codec
from bot.delivery.sender import Pacing, Sender
from bot.delivery.worker import DeliveryWorker
from bot.features import checklists, feedback, figures, menu, reminders, services, staff, status, webconsole
from bot.links import DeepLinks
from knowledge.loader import DATA_DIR, KnowledgeBase, load_kb
from storage import people
from storage.db import Database, open_database

if TYPE_CHECKING:
    from aiohttp import web

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
    """The search engine for this knowledge base, built in a thread while the bot starts (the index
    takes ~0.6 s and the first answers — the menu, a card from a QR code — need none of it)."""
    cached = getattr(kb, "_search_engine", None)
    if cached is None:  # one index per loaded knowledge base (tests build many apps on one KB)
        cached = kb._search_engine = SearchWhenReady(kb)  # type: ignore[attr-defined]
    return cached


class SearchWhenReady:
    """Stands for the search engine; the first use waits for the index if it is not built yet."""

    def __init__(self, kb: KnowledgeBase):
        self._ready = threading.Event()
        self._engine: Any = None
        self._error: BaseException | None = None
        threading.Thread(target=self._build, args=(kb,), name="search-index", daemon=True).start()

    def _build(self, kb: KnowledgeBase) -> None:
        try:
            from knowledge.search import SearchEngine

            started = time.perf_counter()
            self._engine = SearchEngine(kb)
            # The index lives as long as the process: out of the garbage collector's sight, or a full
            # collection pauses a search for ~30 ms now and then.
            gc.collect()
            gc.freeze()
            log.info("search index built in %.0f ms for %d services", (time.perf_counter() - started) * 1000,
                     len(kb.services))
        except BaseException as exc:
            self._error = exc
        finally:
            self._ready.set()

    def engine(self) -> Any:
        self._ready.wait()
        if self._error is not None:
            raise RuntimeError("the search index could not be built") from self._error
        return self._engine

    def __getattr__(self, name: str) -> Any:
        return getattr(self.engine(), name)


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
        self.workers: dict[str, DeliveryWorker] = {}  # channel → the delivery worker running in this process
        self.accepting = True  # False once the process is stopping: messengers are told to come back later
        self._goodbyes: set[asyncio.Task] = set()

    # --- the Host protocol the channels use (bot/channels/base.py) ---------------------------
    async def handle(self, incoming: Incoming) -> list[Reply]:
        return await self.engine.handle(incoming)

    async def receive(self, incoming: Incoming, *, key: str | None, meta: dict[str, Any] | None = None,
                      respond: bool = False) -> Handled:
        """A messenger's event, taken durably: recorded by its platform id (a repeat does nothing),
        handled, and answered through the outbox — or, with `respond`, the answers are returned for the
        platform's HTTP response (Viber's welcome). Raises storage.db.Unavailable when it cannot be
        taken: the channel then tells the platform to send it again later."""
        worker = self.workers.get(incoming.channel)
        ready = worker is not None and worker.accepts(incoming.channel)
        handled = await self.engine.process(incoming, key=key, meta=meta, queue=not respond,
                                            lease=worker.lease if ready and worker else None,
                                            kinds=worker.kinds if worker else None)
        if worker is not None and handled.queued is not None:
            worker.hand_over(handled.queued)
        elif worker is not None and handled.behind is not None:
            worker.expect(handled.behind)
        if handled.forgotten and not respond and handled.replies and worker is not None:
            task = asyncio.create_task(worker.send_unqueued(incoming.channel, incoming.user_id, handled.replies,
                                                            meta or {}))
            self._goodbyes.add(task)
            task.add_done_callback(self._goodbyes.discard)
        return handled

    async def queue_replies(self, channel: str, external_id: str, replies: list[Reply], meta: dict[str, Any],
                            skip: int = 0) -> None:
        """Queue answers outside an event (the rest of a Viber welcome, `skip` parts already delivered)."""
        async with self.db.sessions() as session, session.begin():
            person = await people.load_person(session, channel, external_id, lock=False)
            if person is not None:
                await outbox.enqueue_reply(session, user_id=person.user.id, channel=channel, replies=codec.encode(replies),
                                           meta=meta, key=None, now=self.services.clock.now(), lease=None, progress=skip)
        worker = self.workers.get(channel)
        if worker is not None:
            worker.poke()

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
        """The outbox worker for these senders, with every feature's renderers and hooks. Once it runs,
        events on its channels hand their answers straight to it."""
        return DeliveryWorker(
            self.db, self.services, senders,
            renderers={kind: fn for f in self.features for kind, fn in f.renderers.items()},
            settled={kind: fn for f in self.features for kind, fn in f.settled.items()},
            reach=self.reach, pacing=self.pacing(), registry=self.workers, **options,
        )

    @contextlib.asynccontextmanager
    async def delivering(self, senders: list[Sender], **options: Any) -> AsyncIterator[DeliveryWorker | None]:
        """Run a delivery worker for these senders while the block runs; stop and drain it after."""
        senders = [s for s in senders if s.channel not in self.workers]
        if not senders:
            yield None
            return
        worker = self.delivery_worker(senders, **options)
        stop = asyncio.Event()
        task = asyncio.create_task(worker.run(stop), name="delivery")
        await asyncio.sleep(0)  # let it register for its channels before the first event comes
        try:
            yield worker
        finally:
            stop.set()
            await task

    def web_app(self, runtimes: list[Runtime]) -> web.Application:
        from bot.web.server import build_web_app

        return build_web_app(self, runtimes)

    async def close(self) -> None:
        if self._goodbyes:
            await asyncio.wait(self._goodbyes, timeout=self.settings.drain_seconds)
        await self.db.dispose()


async def build_app(
    settings: Settings,
    *,
    kb: KnowledgeBase | None = None,
    features: Sequence[Feature] = FEATURES,
    channels: Sequence[Channel] = CHANNELS,
    migrate: bool = True,
    create: bool = False,
    clock: Clock | None = None,
    raise_errors: bool = False,
    search: bool = True,
) -> App:
    """The app on an existing database (create=True: make it if there is none — the console, tests).
    Raises storage.db.DatabaseMissing otherwise."""
    db = await open_database(settings.database_url, migrate=migrate, create=create)
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
