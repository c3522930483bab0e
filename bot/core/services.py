"""What flows, renderers and hooks may use of the running app: settings, knowledge, search, time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.config import Settings
from bot.core.clock import Clock, SystemClock

if TYPE_CHECKING:
    from bot.links import DeepLinks
    from knowledge.loader import KnowledgeBase


@dataclass(frozen=True)
class Services:
    settings: Settings
    kb: KnowledgeBase
    search: Any = None  # knowledge.search.SearchEngine (None where search is not needed, e.g. CLI exports)
    clock: Clock = SystemClock()
    deep_links: DeepLinks | None = None  # links into the bot on every configured channel
