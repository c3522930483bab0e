"""Load and cross-check the knowledge base from YAML files.

`load_kb()` raises `KnowledgeBaseError` with every problem found (file, record,
field), so staff fix all of them in one pass instead of one per run.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from knowledge.models import LANGS, Category, Community, Office, Service, Situation, Text

DATA_DIR = Path(__file__).resolve().parent / "data"


class KnowledgeBaseError(Exception):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the knowledge base:\n" + "\n".join(problems))


@dataclass
class KnowledgeBase:
    community: Community
    offices: dict[str, Office]
    categories: dict[str, Category]
    services: dict[str, Service]
    situations: dict[str, Situation]
    files: dict[str, str] = field(default_factory=dict)  # service id -> file it came from

    @property
    def main_office(self) -> Office:
        return next((o for o in self.offices.values() if o.main), next(iter(self.offices.values())))

    def services_in(self, category_id: str) -> list[Service]:
        return sorted(
            (s for s in self.services.values() if s.category == category_id),
            key=lambda s: s.title.uk,
        )


def _read_yaml(path: Path, problems: list[str], name: str | None = None) -> Any:
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except (OSError, yaml.YAMLError) as exc:
        detail = " ".join(str(exc).split())
        problems.append(f"{name or path.name}: cannot read YAML: {detail}")
        return None


def _validate(model: type[BaseModel], raw: Any, where: str, problems: list[str]) -> Any:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        for err in exc.errors():
            loc = ".".join(str(p) for p in err["loc"]) or "(record)"
            problems.append(f"{where}: field {loc}: {err['msg']}")
        return None


def _records(path: Path, key: str, model: type[BaseModel], problems: list[str]) -> dict[str, Any]:
    raw = _read_yaml(path, problems)
    if raw is None:
        return {}
    items = raw.get(key) if isinstance(raw, dict) else None
    if not isinstance(items, list):
        problems.append(f"{path.name}: expected a list under '{key}:'")
        return {}
    out: dict[str, Any] = {}
    for n, item in enumerate(items, 1):
        rid = item.get("id", f"#{n}") if isinstance(item, dict) else f"#{n}"
        obj = _validate(model, item, f"{path.name}: record {rid}", problems)
        if obj is None:
            continue
        if obj.id in out:
            problems.append(f"{path.name}: record {obj.id}: id is not unique")
        out[obj.id] = obj
    return out


def load_kb(data_dir: Path | str = DATA_DIR, *, strict: bool = True) -> KnowledgeBase:
    """Load everything under `data_dir`. With strict=False, bad records are skipped."""
    data_dir = Path(data_dir)
    problems: list[str] = []

    raw_offices = _read_yaml(data_dir / "offices.yaml", problems) or {}
    community = _validate(Community, raw_offices.get("community"), "offices.yaml: community", problems)
    offices = _records(data_dir / "offices.yaml", "offices", Office, problems) if raw_offices else {}
    categories = _records(data_dir / "categories.yaml", "categories", Category, problems)
    situations_path = data_dir / "situations.yaml"
    situations = _records(situations_path, "situations", Situation, problems) if situations_path.exists() else {}

    services: dict[str, Service] = {}
    files: dict[str, str] = {}
    for path in sorted((data_dir / "services").glob("*.y*ml")):
        raw = _read_yaml(path, problems, f"services/{path.name}")
        if raw is None:
            continue
        svc = _validate(Service, raw, f"services/{path.name}", problems)
        if svc is None:
            continue
        if svc.id in services:
            problems.append(f"services/{path.name}: id {svc.id} is already used by {files[svc.id]}")
            continue
        if path.stem != svc.id:
            problems.append(f"services/{path.name}: file name should be {svc.id}.yaml")
        services[svc.id] = svc
        files[svc.id] = f"services/{path.name}"

    kb = KnowledgeBase(
        community=community or Community(name=Text(uk="Громада", en="Community")),
        offices=offices,
        categories=categories,
        services=services,
        situations=situations,
        files=files,
    )
    problems += cross_check(kb)
    if problems and strict:
        raise KnowledgeBaseError(problems)
    return kb


def cross_check(kb: KnowledgeBase) -> list[str]:
    """References between records, which a single record's schema cannot see."""
    problems: list[str] = []
    if not kb.offices:
        problems.append("offices.yaml: no offices defined")
    elif sum(o.main for o in kb.offices.values()) != 1:
        problems.append("offices.yaml: exactly one office must have main: true")
    for svc in kb.services.values():
        where = kb.files.get(svc.id, svc.id)
        if svc.category not in kb.categories:
            problems.append(f"{where}: field category: unknown category {svc.category!r}")
        for office in svc.where.offices:
            if office not in kb.offices:
                problems.append(f"{where}: field where.offices: unknown office {office!r}")
        for rel in svc.related:
            if rel not in kb.services:
                problems.append(f"{where}: field related: unknown service {rel!r}")
            elif rel == svc.id:
                problems.append(f"{where}: field related: a service cannot be related to itself")
    for sit in kb.situations.values():
        for sid in sit.services:
            if sid not in kb.services:
                problems.append(f"situations.yaml: record {sit.id}: field services: unknown service {sid!r}")
    return problems


def required_ids(csv_path: Path) -> list[tuple[str, str]]:
    """(id, category) pairs from the shared list of services the KB must contain."""
    with csv_path.open(encoding="utf-8", newline="") as fh:
        return [(row["id"], row["category"]) for row in csv.DictReader(fh)]


def check_required(kb: KnowledgeBase, csv_path: Path) -> list[str]:
    problems = []
    for sid, category in required_ids(csv_path):
        if sid not in kb.services:
            problems.append(f"required service {sid!r} ({category}) is missing")
        elif kb.services[sid].category != category:
            problems.append(
                f"{kb.files[sid]}: field category: is {kb.services[sid].category!r}, the required list says {category!r}"
            )
    return problems


def untranslated(kb: KnowledgeBase) -> list[str]:
    """Texts whose English is a copy of the Ukrainian (a sign it was never translated)."""
    problems = []

    def walk(obj: Any, path: str, where: str) -> None:
        if isinstance(obj, Text):
            if obj.uk == obj.en and any("а" <= ch <= "я" or ch in "іїєґ" for ch in obj.uk.lower()):
                problems.append(f"{where}: field {path}: English text is a copy of the Ukrainian")
        elif isinstance(obj, BaseModel):
            for name in type(obj).model_fields:
                walk(getattr(obj, name), f"{path}.{name}" if path else name, where)
        elif isinstance(obj, list):
            for i, item in enumerate(obj):
                walk(item, f"{path}[{i}]", where)

    for svc in kb.services.values():
        walk(svc, "", kb.files.get(svc.id, svc.id))
    for sit in kb.situations.values():
        walk(sit, "", f"situations.yaml: record {sit.id}")
    return problems


__all__ = ["DATA_DIR", "KnowledgeBase", "KnowledgeBaseError", "LANGS", "load_kb", "check_required", "untranslated"]
