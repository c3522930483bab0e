"""The community's own additions to the search, made from unanswered queries: `community-synonyms.yaml`.

Staff link what people typed and found nothing for to the service that answers it (the staff
console writes this file; it can be edited by hand too). The loader adds each linked query to
its service's synonyms, so the search finds the service by it, and `kb check` validates the file
like the rest of the knowledge base. Queries marked "not our service" are listed so they stop
showing up as work to do.

    synonyms:
      - {query: "довідка про склад сім'ї", service: registered-persons-extract, lang: uk, added: 2026-12-01}
    not_ours:
      - {query: "курс долара", added: 2026-12-01}
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from knowledge.models import Service, Synonyms

FILE = "community-synonyms.yaml"
HEADER = ("# Written by the staff console (\"Unanswered searches\"): what people typed that found nothing, and the\n"
          "# service that answers it. Checked by `python run_bot.py kb check`; editing by hand is fine.\n")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Lang = Literal["uk", "en", "ru"]


class Link(_Strict):
    query: str = Field(min_length=2, max_length=120)
    service: str
    lang: Lang = "uk"
    added: dt.date | None = None


class NotOurs(_Strict):
    query: str = Field(min_length=1, max_length=120)
    added: dt.date | None = None


class Overlay(_Strict):
    synonyms: list[Link] = Field(default_factory=list)
    not_ours: list[NotOurs] = Field(default_factory=list)

    def handled(self) -> set[str]:
        """Queries already dealt with (linked or marked not ours), folded for comparison."""
        return {fold(x.query) for x in self.synonyms} | {fold(x.query) for x in self.not_ours}


def fold(query: str) -> str:
    return " ".join(query.lower().replace("’", "'").replace("ʼ", "'").split()).strip(" .,!?;:")


def path_in(data_dir: Path | str) -> Path:
    return Path(data_dir) / FILE


def read(data_dir: Path | str, problems: list[str] | None = None) -> Overlay:
    """The overlay in `data_dir` (empty when there is none); problems are reported as `kb check` reports them."""
    path = path_in(data_dir)
    if not path.exists():
        return Overlay()
    try:
        raw: Any = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return Overlay.model_validate(raw)
    except (OSError, yaml.YAMLError) as exc:
        if problems is not None:
            problems.append(f"{FILE}: cannot read YAML: {' '.join(str(exc).split())}")
    except ValidationError as exc:
        if problems is not None:
            for err in exc.errors():
                loc = ".".join(str(p) for p in err["loc"]) or "(file)"
                problems.append(f"{FILE}: field {loc}: {err['msg']}")
    return Overlay()


def check(overlay: Overlay, services: dict[str, Service]) -> list[str]:
    return [f"{FILE}: synonyms.{n}: unknown service {link.service!r}"
            for n, link in enumerate(overlay.synonyms) if link.service not in services]


def apply(overlay: Overlay, services: dict[str, Service]) -> dict[str, Service]:
    """The services whose synonyms the overlay extends, with the linked queries added (others unchanged)."""
    extra: dict[str, dict[str, list[str]]] = {}
    for link in overlay.synonyms:
        if link.service in services:
            extra.setdefault(link.service, {}).setdefault(link.lang, []).append(link.query)
    out = {}
    for sid, by_lang in extra.items():
        svc = services[sid]
        merged = {lang: list(getattr(svc.synonyms, lang)) for lang in ("uk", "en", "ru")}
        for lang, queries in by_lang.items():
            merged[lang] += [q for q in queries if fold(q) not in {fold(x) for x in merged[lang]}]
        out[sid] = svc.model_copy(update={"synonyms": Synonyms(**merged)})
    return out


def guess_lang(query: str) -> Lang:
    """en for Latin script; ru for Russian letters or words only the Russian dictionary knows; else uk."""
    text = query.lower()
    if any("a" <= c <= "z" for c in text) and not any("а" <= c <= "я" or c in "іїєґ" for c in text):
        return "en"
    if any(c in text for c in "ыэъё"):
        return "ru"
    if not any(c in text for c in "іїєґ"):
        from knowledge.search.morph import is_known_ru, is_known_uk

        words = [w for w in re.findall(r"[а-я]+", text) if len(w) > 3]
        if any(is_known_ru(w) and not is_known_uk(w) for w in words):
            return "ru"
    return "uk"


def _write(data_dir: Path | str, overlay: Overlay) -> None:
    """Replace the file atomically (a reader never sees half of it)."""
    path = path_in(data_dir)
    body = yaml.safe_dump(overlay.model_dump(mode="json", exclude_none=True), allow_unicode=True, sort_keys=False,
                          default_flow_style=None, width=200)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".community-synonyms-", suffix=".yaml")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(HEADER + body)
    os.replace(tmp, path)


def add_link(data_dir: Path | str, query: str, service: str, today: dt.date) -> Overlay:
    overlay = read(data_dir)
    if fold(query) in {fold(x.query) for x in overlay.synonyms if x.service == service}:
        return overlay
    new = overlay.model_copy(update={"synonyms": [*overlay.synonyms, Link(query=query, service=service,
                                                                            lang=guess_lang(query), added=today)]})
    _write(data_dir, new)
    return new


def add_not_ours(data_dir: Path | str, query: str, today: dt.date) -> Overlay:
    overlay = read(data_dir)
    if fold(query) in overlay.handled():
        return overlay
    new = overlay.model_copy(update={"not_ours": [*overlay.not_ours, NotOurs(query=query, added=today)]})
    _write(data_dir, new)
    return new
