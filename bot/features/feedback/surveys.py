"""Survey definitions: YAML files in `<knowledge base>/surveys/`, in Ukrainian and English.

Staff edit these files by hand, so they are validated on load and every mistake is
reported with its file, question and field. A survey is attached to offices (`*` for
every office), optionally narrowed to a service or a service window; the most specific
attachment wins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from knowledge.loader import DATA_DIR, KnowledgeBase
from knowledge.models import Office, Text

BUNDLED_DIR = DATA_DIR / "surveys"
SCALE = (1, 2, 3, 4, 5)
YES, NO = "yes", "no"
_ID = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
WINDOW_RE = re.compile(r"^[A-Za-z0-9]{1,8}$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Option(_Strict):
    id: str = Field(pattern=_ID, max_length=20)
    text: Text


class ShowIf(_Strict):
    """Ask a question only after a given answer: `{question: overall, max: 2}` or `{question: solved, in: [no]}`."""

    question: str
    min: int | None = Field(default=None, ge=1, le=5)
    max: int | None = Field(default=None, ge=1, le=5)
    in_: list[str] | None = Field(default=None, alias="in", min_length=1)

    @field_validator("in_", mode="before")
    @classmethod
    def _yaml_booleans(cls, v: Any) -> Any:
        # YAML reads a bare `no` / `yes` as a boolean; mean the yes/no answers.
        return [YES if x is True else NO if x is False else x for x in v] if isinstance(v, list) else v

    @model_validator(mode="after")
    def _one_kind(self) -> ShowIf:
        if (self.min is None and self.max is None) == (self.in_ is None):
            raise ValueError("give either min/max (for a rating) or in: [answers] (for a choice or yes/no)")
        return self

    def holds(self, answer: Any) -> bool:
        if answer is None:
            return False  # not asked or skipped: the follow-up question is not asked either
        if self.in_ is not None:
            values = answer if isinstance(answer, list) else [YES if answer is True else NO if answer is False else answer]
            return bool(set(values) & set(self.in_))
        return (self.min is None or answer >= self.min) and (self.max is None or answer <= self.max)


class Question(_Strict):
    id: str = Field(pattern=_ID, max_length=20)
    kind: Literal["rating", "single", "multiple", "yesno", "text"]
    text: Text  # the question as asked in the chat
    label: Text  # a short name for reports, charts and spreadsheet columns
    options: list[Option] = Field(default_factory=list)
    optional: bool = False  # shows a "Skip" button
    max_length: int = Field(default=500, ge=1, le=2000)  # free text only
    show_if: ShowIf | None = None

    @model_validator(mode="after")
    def _options_fit_the_kind(self) -> Question:
        choice = self.kind in ("single", "multiple")
        if choice and not 2 <= len(self.options) <= 10:
            raise ValueError(f"a {self.kind}-choice question needs 2 to 10 options")
        if not choice and self.options:
            raise ValueError(f"a {self.kind} question has no options")
        ids = [o.id for o in self.options]
        if len(set(ids)) != len(ids):
            raise ValueError("option ids repeat")
        return self

    def values(self) -> list[str]:
        """The answers `show_if: {in: …}` may name."""
        return [YES, NO] if self.kind == "yesno" else [o.id for o in self.options]

    def option(self, option_id: str) -> Option | None:
        return next((o for o in self.options if o.id == option_id), None)


class Attach(_Strict):
    office: str = Field(min_length=1)  # an office id, or "*" for every office
    service: str | None = None
    window: str | None = Field(default=None, pattern=WINDOW_RE.pattern)

    def score(self, office: str, service: str | None, window: str | None) -> int | None:
        """How specifically this attachment fits; None when it does not."""
        if self.office not in ("*", office) or self.service not in (None, service) or self.window not in (None, window):
            return None
        return (self.office != "*") * 4 + (self.service is not None) * 2 + (self.window is not None)


class Alert(_Strict):
    """A rating at or below `max` on `question` alerts the office's staff at once."""

    question: str
    max: int = Field(default=2, ge=1, le=4)


class Survey(_Strict):
    id: str = Field(pattern=_ID, max_length=40)
    version: int = Field(ge=1)
    title: Text
    intro: Text
    thanks: Text
    call_to_action: Text  # one line on the poster
    poster_note: Text | None = None  # a smaller line under the QR code(s)
    scale: dict[int, Text] | None = None  # words for ratings 1–5, shown on the buttons
    attach: list[Attach] = Field(min_length=1)
    alert: Alert | None = None
    questions: list[Question] = Field(min_length=1, max_length=30)

    @field_validator("scale")
    @classmethod
    def _full_scale(cls, v: dict[int, Text] | None) -> dict[int, Text] | None:
        if v is not None and sorted(v) != list(SCALE):
            raise ValueError("give the words for each rating 1, 2, 3, 4 and 5")
        return v

    @model_validator(mode="after")
    def _references(self) -> Survey:
        seen: dict[str, Question] = {}
        for q in self.questions:
            if q.id in seen:
                raise ValueError(f"question {q.id}: field id: the id repeats")
            cond = q.show_if
            if cond is not None:
                ref = seen.get(cond.question)
                where = f"question {q.id}: field show_if"
                if ref is None:
                    raise ValueError(f"{where}.question: {cond.question!r} is not a question asked before this one")
                if cond.in_ is None and ref.kind != "rating":
                    raise ValueError(f"{where}: min/max need a rating question; {ref.id!r} is {ref.kind}")
                if cond.in_ is not None:
                    unknown = [v for v in cond.in_ if v not in ref.values()]
                    if unknown:
                        raise ValueError(f"{where}.in: {unknown} are not answers of {ref.id!r} (it has {ref.values()})")
            seen[q.id] = q
        if any(q.kind == "rating" for q in self.questions) and self.scale is None:
            raise ValueError("field scale: the words for ratings 1–5 are missing (the buttons show them)")
        if self.alert and (self.alert.question not in seen or seen[self.alert.question].kind != "rating"):
            raise ValueError(f"field alert.question: {self.alert.question!r} is not a rating question of this survey")
        return self

    def question(self, qid: str) -> Question | None:
        return next((q for q in self.questions if q.id == qid), None)

    @property
    def main_rating(self) -> str | None:
        """The rating that counts as "the" rating: the alert's, else the first one."""
        if self.alert:
            return self.alert.question
        return next((q.id for q in self.questions if q.kind == "rating"), None)

    @property
    def low_max(self) -> int:
        return self.alert.max if self.alert else 2

    def is_low(self, answers: dict[str, Any]) -> bool:
        value = answers.get(self.main_rating or "")
        return isinstance(value, int) and value <= self.low_max

    def scale_label(self, value: int, lang: str) -> str:
        words = self.scale.get(value) if self.scale else None
        return f"{value} — {words.get(lang)}" if words else str(value)


class SurveyError(Exception):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the survey files:\n" + "\n".join(problems))


@dataclass
class SurveySet:
    surveys: dict[str, Survey] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)  # survey id -> file it came from

    def for_target(self, office: str, service: str | None = None, window: str | None = None) -> Survey | None:
        best: tuple[int, Survey] | None = None
        for survey in self.surveys.values():
            for a in survey.attach:
                score = a.score(office, service, window)
                if score is not None and (best is None or score > best[0]):
                    best = (score, survey)
        return best[1] if best else None

    def offices(self, kb: KnowledgeBase) -> list[Office]:
        """Offices people can leave feedback about, the main office first."""
        found = [o for o in kb.offices.values() if self.for_target(o.id)]
        return sorted(found, key=lambda o: not o.main)


def _location(loc: tuple, raw: Any) -> str:
    """("questions", 2, "show_if", "max") → "question what-wrong: field show_if.max"."""
    parts = [str(p) for p in loc]
    if len(loc) >= 2 and loc[0] == "questions" and isinstance(loc[1], int):
        items = raw.get("questions") if isinstance(raw, dict) else None
        item = items[loc[1]] if isinstance(items, list) and loc[1] < len(items) else None
        qid = item.get("id") if isinstance(item, dict) and item.get("id") else f"#{loc[1] + 1}"
        rest = ".".join(parts[2:])
        return f"question {qid}: field {rest}" if rest else f"question {qid}"
    return f"field {'.'.join(parts)}" if parts else ""


def _validate(raw: Any, name: str) -> tuple[Survey | None, list[str]]:
    try:
        return Survey.model_validate(raw), []
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            msg = err["msg"].removeprefix("Value error, ")
            where = _location(tuple(err["loc"]), raw)
            problems.append(f"{name}: {where}: {msg}" if where else f"{name}: {msg}")
        return None, problems


def load_surveys(directory: Path | str) -> SurveySet:
    """Every `*.yaml` in `directory`; raises SurveyError listing all problems at once."""
    directory = Path(directory)
    problems: list[str] = []
    result = SurveySet()
    targets: dict[tuple[str, str | None, str | None], str] = {}
    paths = sorted(directory.glob("*.y*ml"))
    if not paths:
        problems.append(f"{directory}: no survey files (*.yaml)")
    for path in paths:
        name = f"surveys/{path.name}"
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            problems.append(f"{name}: cannot read YAML: {' '.join(str(exc).split())}")
            continue
        survey, errors = _validate(raw, name)
        problems += errors
        if survey is None:
            continue
        if survey.id in result.surveys:
            problems.append(f"{name}: field id: {survey.id!r} is already used by {result.files[survey.id]}")
            continue
        if path.stem != survey.id:
            problems.append(f"{name}: field id: the file should be named {survey.id}.yaml")
        for a in survey.attach:
            key = (a.office, a.service, a.window)
            if key in targets:
                problems.append(f"{name}: field attach: {a.office}/{a.service or '-'}/{a.window or '-'} "
                                f"already has the survey {targets[key]!r}")
            targets[key] = survey.id
        result.surveys[survey.id] = survey
        result.files[survey.id] = name
    if problems:
        raise SurveyError(problems)
    return result


def check_against_kb(surveys: SurveySet, kb: KnowledgeBase) -> list[str]:
    """Attachments must name offices and services that exist."""
    problems = []
    for sid, survey in surveys.surveys.items():
        for a in survey.attach:
            if a.office != "*" and a.office not in kb.offices:
                problems.append(f"{surveys.files[sid]}: field attach: unknown office {a.office!r}")
            if a.service and a.service not in kb.services:
                problems.append(f"{surveys.files[sid]}: field attach: unknown service {a.service!r}")
    return problems


def surveys_dir(kb_dir: Path | str | None) -> Path:
    """A community's own `surveys/` beside its knowledge base, else the bundled default survey."""
    own = Path(kb_dir) / "surveys" if kb_dir else None
    return own if own is not None and own.is_dir() else BUNDLED_DIR


@lru_cache(maxsize=8)
def _cached(directory: str) -> SurveySet:
    return load_surveys(directory)


def get_surveys(kb_dir: Path | str | None) -> SurveySet:
    """The surveys the bot uses (loaded once per process; restart after editing, as for the KB)."""
    return _cached(str(surveys_dir(kb_dir)))
