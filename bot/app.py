"""Assemble the bot: settings → database → knowledge base → search → conversation core."""

from __future__ import annotations

import gc
import logging
import time
from pathlib import Path

from bot.config import Settings
from bot.dialogs.core import BotCore
from bot.feedback.surveys import get_surveys
from knowledge.loader import DATA_DIR, KnowledgeBase, load_kb
from storage.db import open_database

log = logging.getLogger(__name__)


def build_search(kb: KnowledgeBase):
    from knowledge.search import SearchEngine

    cached = getattr(kb, "_search_engine", None)
    if cached is not None:  # one index per loaded knowledge base (tests build many cores on one KB)
        return cached
    started = time.perf_counter()
    engine = SearchEngine(kb)
    kb._search_engine = engine
    # The index is built once and lives as long as the process: take it out of the garbage
    # collector's sight, or a full collection pauses a search for ~30 ms now and then.
    gc.collect()
    gc.freeze()
    log.info("search index built in %.0f ms for %d services", (time.perf_counter() - started) * 1000, len(kb.services))
    return engine


async def create_core(settings: Settings, *, kb: KnowledgeBase | None = None, migrate: bool = True) -> BotCore:
    db = await open_database(settings.database_url, migrate=migrate)
    kb = kb or load_kb(Path(settings.kb_dir) if settings.kb_dir else DATA_DIR)
    get_surveys(settings.kb_dir)  # a broken survey file stops the start, like a broken KB (SurveyError says where)
    return BotCore(db, settings, kb=kb, search=build_search(kb))
