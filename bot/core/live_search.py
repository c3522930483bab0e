"""The search engine, rebuilt in the running process when the community's synonyms change.

Flows use it exactly as the engine (`search`, `is_good`, …: attribute access is passed through).
The process that changes `community-synonyms.yaml` (the staff console) calls `refresh()` and the
next search uses the new index; every other process sharing the knowledge base notices the file's
new modification time on its next search and rebuilds in a worker thread meanwhile (the old
index answers until the new one is ready). A rebuild takes well under a second for 91 services.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from knowledge import overlay

log = logging.getLogger(__name__)


class LiveSearch:
    def __init__(self, engine: Any, kb: Any, data_dir: Path | str, build: Callable[[Any], Any]):
        self._engine = engine
        self._kb = kb
        self._dir = Path(data_dir)
        self._build = build
        self._stamp = self._mtime()
        self._task: asyncio.Task | None = None

    def _mtime(self) -> float | None:
        try:
            return os.stat(overlay.path_in(self._dir)).st_mtime_ns
        except OSError:
            return None

    def __getattr__(self, name: str) -> Any:
        if self._mtime() != self._stamp and self._task is None:
            try:
                self._task = asyncio.get_running_loop().create_task(self.refresh(), name="search-refresh")
            except RuntimeError:  # no event loop (a CLI command): refresh on the spot
                asyncio.run(self.refresh())
        return getattr(self._engine, name)

    @property
    def engine(self) -> Any:
        return self._engine

    async def refresh(self) -> None:
        """Apply the overlay to the loaded services and build a new index from them."""
        stamp = self._mtime()
        try:
            problems: list[str] = []
            extra = overlay.apply(overlay.read(self._dir, problems), self._kb.services)
            if problems:
                log.error("community synonyms not applied: %s", "; ".join(problems))
            else:
                self._kb.services.update(extra)
                self._engine = await asyncio.to_thread(self._build, self._kb)
                log.info("search index rebuilt with the community's synonyms (%d services extended)", len(extra))
        finally:
            self._stamp = stamp
            self._task = None
