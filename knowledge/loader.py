"""Load and cross-check the knowledge base from YAML files.

`load_kb()` raises `KnowledgeBaseError` with every problem found (file, record,
field), so staff fix all of them in one pass instead of one per run.

Besides the cards it reads the registries cards refer to: acts.yaml (legal
acts), amounts.yaml (yearly fees and payments), domains.yaml (where links may
point) and abbreviations.yaml. Several writers can deliver their acts and
amounts in side files (acts-<tag>.yaml, amounts-<tag>.yaml): they are merged,
and an id defined differently in two files is an error.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from knowledge import overlay
from knowledge.amounts import PLACEHOLDER_RE, ResolvedAmount, resolve, substitute
from knowledge.models import (
    LANGS,
    Abbreviation,
    Act,
    Amount,
    Base,
    Category,
    Community,
    Domains,
    Office,
    Service,
    Situation,
    Sourced,
    Text,
)
from knowledge.texts import iter_texts, map_texts
from knowledge.validity import Validity, card_validity

DATA_DIR = Path(__file__).resolve().parent / "data"
# Anything in braces that is not a known placeholder form is a typo a citizen would see.
BRACES_RE = re.compile(r"\{[^{}]*\}")


class KnowledgeBaseError(Exception):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the knowledge base:\n" + "\n".join(problems))


@dataclass
class KnowledgeBase:
    community: Community
    offices: dict[str, Office]
    categories: dict[str, Category]
    services: dict[str, Service]  # as citizens read them: amounts filled in
    situations: dict[str, Situation]
    files: dict[str, str] = field(default_factory=dict)  # service id -> file it came from
    authored: dict[str, Service] = field(default_factory=dict)  # cards as written, with {fee:…} placeholders
    acts: dict[str, Act] = field(default_factory=dict)
    bases: dict[str, Base] = field(default_factory=dict)
    amount_records: dict[str, Amount] = field(default_factory=dict)

    def sourced_records(self) -> list[tuple[str, Sourced]]:
        """Every base and amount record (each names the act that sets it)."""
        return [*self.bases.items(), *self.amount_records.items()]
    amounts: dict[str, ResolvedAmount] = field(default_factory=dict)
    domains: Domains | None = None
    abbreviations: dict[str, Abbreviation] = field(default_factory=dict)  # "ЦНАП" -> its full form
    validity: dict[str, Validity] = field(default_factory=dict)  # service id -> how long the card holds
    registry_files: dict[str, str] = field(default_factory=dict)  # act/base/amount id -> its file

    @property
    def main_office(self) -> Office:
        return next((o for o in self.offices.values() if o.main), next(iter(self.offices.values())))

    def services_in(self, category_id: str) -> list[Service]:
        return sorted(
            (s for s in self.services.values() if s.category == category_id),
            key=lambda s: s.title.uk,
        )


# libyaml's parser (10× faster: the knowledge base loads in a tenth of the time); the same safe subset.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_yaml(path: Path, problems: list[str], name: str | None = None) -> Any:
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.load(fh, Loader=_LOADER)  # a safe loader (libyaml's SafeLoader)
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


def _items(raw: Any, key: str, name: str, problems: list[str]) -> list[tuple[str, Any]]:
    """(id, raw record) from a list of records with `id:` or a mapping keyed by id."""
    items = raw.get(key) if isinstance(raw, dict) else None
    if isinstance(items, dict):
        return [(str(k), v) for k, v in items.items()]
    if not isinstance(items, list):
        problems.append(f"{name}: expected a list under '{key}:'")
        return []
    return [(item.get("id", f"#{n}") if isinstance(item, dict) else f"#{n}", item) for n, item in enumerate(items, 1)]


def _records_in(raw: Any, name: str, key: str, model: type[BaseModel], problems: list[str], *,
                keyed: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for rid, item in _items(raw, key, name, problems):
        obj = _validate(model, item, f"{name}: record {rid}", problems)
        if obj is None:
            continue
        oid = rid if keyed else obj.id
        if oid in out:
            problems.append(f"{name}: record {oid}: id is not unique")
        out[oid] = obj
    return out


def _records(path: Path, key: str, model: type[BaseModel], problems: list[str], *, keyed: bool = False) -> dict[str, Any]:
    raw = _read_yaml(path, problems)
    return {} if raw is None else _records_in(raw, path.name, key, model, problems, keyed=keyed)


def _merged(data_dir: Path, stem: str, key: str, model: type[BaseModel], problems: list[str],
            origin: dict[str, str], *, keyed: bool = False) -> dict[str, Any]:
    """Records from <stem>.yaml and every <stem>-<tag>.yaml; the same id must mean the same thing."""
    out: dict[str, Any] = {}
    for path in [data_dir / f"{stem}.yaml", *sorted(data_dir.glob(f"{stem}-*.yaml"))]:
        if not path.exists():
            continue
        raw = _read_yaml(path, problems)
        if raw is None or (isinstance(raw, dict) and key not in raw):
            continue  # unreadable (reported), or e.g. an amounts file with only bases
        for rid, obj in _records_in(raw, path.name, key, model, problems, keyed=keyed).items():
            if rid in out and out[rid] != obj:
                problems.append(f"{path.name}: record {rid}: defined differently in {origin[rid]}; keep one definition")
            elif rid not in out:
                out[rid], origin[rid] = obj, path.name
    return out


def _national(data_dir: Path, name: str) -> Path:
    """domains.yaml and abbreviations.yaml: the community's own copy, else the bundled national list."""
    return data_dir / name if (data_dir / name).exists() else DATA_DIR / name


def _domains(data_dir: Path, problems: list[str]) -> Domains | None:
    raw = _read_yaml(_national(data_dir, "domains.yaml"), problems)
    return None if raw is None else _validate(Domains, raw, "domains.yaml", problems)


def _abbreviations(data_dir: Path, problems: list[str]) -> dict[str, Abbreviation]:
    return _records(_national(data_dir, "abbreviations.yaml"), "abbreviations", Abbreviation, problems, keyed=True)


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

    origin: dict[str, str] = {}
    acts = _merged(data_dir, "acts", "acts", Act, problems, origin)
    bases = _merged(data_dir, "amounts", "bases", Base, problems, origin, keyed=True)
    amount_records = _merged(data_dir, "amounts", "amounts", Amount, problems, origin, keyed=True)
    amounts, amount_problems = resolve(amount_records, bases)
    problems += amount_problems

    authored: dict[str, Service] = {}
    files: dict[str, str] = {}
    for path in sorted((data_dir / "services").glob("*.y*ml")):
        raw = _read_yaml(path, problems, f"services/{path.name}")
        if raw is None:
            continue
        svc = _validate(Service, raw, f"services/{path.name}", problems)
        if svc is None:
            continue
        if svc.id in authored:
            problems.append(f"services/{path.name}: id {svc.id} is already used by {files[svc.id]}")
            continue
        if path.stem != svc.id:
            problems.append(f"services/{path.name}: file name should be {svc.id}.yaml")
        authored[svc.id] = svc
        files[svc.id] = f"services/{path.name}"

    services = {sid: fill_amounts(svc, amounts) for sid, svc in authored.items()}
    community_synonyms = overlay.read(data_dir, problems)  # community-synonyms.yaml, from the staff console
    problems += overlay.check(community_synonyms, services)
    services.update(overlay.apply(community_synonyms, services))
    kb = KnowledgeBase(
        community=community or Community(name=Text(uk="Громада", en="Community")),
        offices=offices,
        categories=categories,
        services=services,
        situations=situations,
        files=files,
        authored=authored,
        acts=acts,
        bases=bases,
        amount_records=amount_records,
        amounts=amounts,
        domains=_domains(data_dir, problems),
        abbreviations=_abbreviations(data_dir, problems),
        validity={sid: card_validity(svc, amounts, acts) for sid, svc in authored.items()},
        registry_files=origin,
    )
    problems += cross_check(kb)
    if problems and strict:
        raise KnowledgeBaseError(problems)
    return kb


def fill_amounts(card: Service, amounts: dict[str, ResolvedAmount]) -> Service:
    """The card as a citizen reads it: every {fee:…}/{pay:…} replaced by the sum in that language."""

    def fill(text: Text) -> Text:
        if "{" not in text.uk and "{" not in text.en:
            return text
        return text.model_copy(update={lang: substitute(getattr(text, lang), amounts, lang) for lang in LANGS})

    return map_texts(card, fill)


def cross_check(kb: KnowledgeBase) -> list[str]:
    """References between records, which a single record's schema cannot see."""
    problems: list[str] = []
    if not kb.offices:
        problems.append("offices.yaml: no offices defined")
    elif sum(o.main for o in kb.offices.values()) != 1:
        problems.append("offices.yaml: exactly one office must have main: true")
    for svc in kb.authored.values():
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
        for n, ref in enumerate(svc.legal_basis):
            if ref.act not in kb.acts:
                problems.append(f"{where}: field legal_basis.{n}.act: unknown act {ref.act!r}; add it to acts.yaml")
        problems += _placeholder_problems(svc, kb, where)
    for aid, record in kb.sourced_records():
        if record.act not in kb.acts:
            problems.append(f"{kb.registry_files.get(aid, 'amounts.yaml')}: record {aid}: field act: unknown act {record.act!r}")
    for sit in kb.situations.values():
        for sid in sit.services:
            if sid not in kb.services:
                problems.append(f"situations.yaml: record {sit.id}: field services: unknown service {sid!r}")
    return problems


def _placeholder_problems(card: Service, kb: KnowledgeBase, where: str) -> list[str]:
    problems = []
    for path, text in iter_texts(card):
        for lang in LANGS:
            value = getattr(text, lang)
            for braces in BRACES_RE.findall(value):
                m = PLACEHOLDER_RE.fullmatch(braces)
                if not m:
                    problems.append(f"{where}: field {path}.{lang}: {braces} is not a placeholder; "
                                    "write {fee:<id>} or {pay:<id>} from amounts.yaml")
                elif m.group(1) not in kb.amounts:
                    problems.append(f"{where}: field {path}.{lang}: unknown amount {m.group(1)!r}; add it to amounts.yaml")
        if sorted(PLACEHOLDER_RE.findall(text.uk)) != sorted(PLACEHOLDER_RE.findall(text.en)):
            problems.append(f"{where}: field {path}: uk and en must use the same placeholders")
    return problems


def required_ids(csv_path: Path) -> list[tuple[str, str]]:
    """(id, category) pairs from the shared list of services the KB must contain."""
    with csv_path.open(encoding="utf-8", newline="") as fh:
        return [(row["id"], row["category"]) for row in csv.DictReader(fh)]


__all__ = ["DATA_DIR", "KnowledgeBase", "KnowledgeBaseError", "LANGS", "load_kb", "required_ids", "fill_amounts"]
