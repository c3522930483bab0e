"""Typed schema of the knowledge base (format v2, see /work/specs/kb-v2.md and AUTHORING.md).

Data files are YAML that community staff edit by hand; these models validate
them on load so a mistake is reported with its file, record and field instead
of surfacing later as a broken answer in a chat. Content rules that need the
whole knowledge base (links, prose, evidence, validity) live in knowledge/rules/.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

LANGS = ("uk", "en")
ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Button payloads carry ids; Telegram allows 64 bytes of callback data in all.
MAX_ID_LEN = 40
URL_RE = re.compile(r"^https://[A-Za-z0-9.-]+\.[a-z]{2,}(?::\d{1,5})?(?:[/?#][^\s]*)?$")  # an explicit port is allowed
# Card fields a page read by an author can back (kb-v2 §3).
SUPPORTABLE = ("summary", "eligibility", "documents", "cost", "term", "where", "online", "paths")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Strict):
    """A user-facing text in every interface language (uk is the reference).

    `as_of` says when the statement was known to be true; `valid_until` marks a
    statement bound to a period (a year's amount, a temporary rule): after it
    `kb check` fails until someone re-checks the text.
    """

    uk: str = Field(min_length=1)
    en: str = Field(min_length=1)
    as_of: dt.date | None = None
    valid_until: dt.date | None = None

    def get(self, lang: str) -> str:
        return getattr(self, lang, None) or self.uk

    @field_validator("uk", "en")
    @classmethod
    def _stripped(cls, v: str) -> str:
        v = v.strip()
        if not v:
            raise ValueError("must not be empty")
        return v


class Synonyms(_Strict):
    """Words people actually type: colloquial names, abbreviations, Russian."""

    uk: list[str] = Field(default_factory=list)
    en: list[str] = Field(default_factory=list)
    ru: list[str] = Field(default_factory=list)

    def all(self) -> list[str]:
        return [*self.uk, *self.ru, *self.en]


def _check_id(v: str) -> str:
    if not ID_RE.match(v):
        raise ValueError(f"id {v!r} must be lower-case latin words joined by '-'")
    if len(v) > MAX_ID_LEN:
        raise ValueError(f"id {v!r} is longer than {MAX_ID_LEN} characters")
    return v


def _check_url(v: str) -> str:
    if not URL_RE.match(v):
        raise ValueError(f"{v!r} is not a well-formed https:// link")
    return v


def _unique(ids: list[str], what: str) -> None:
    seen: set[str] = set()
    for i in ids:
        if i in seen:
            raise ValueError(f"{what} id {i!r} repeats")
        seen.add(i)


class PathOption(_Strict):
    id: str = Field(pattern=r"^[a-z0-9-]{1,16}$")
    label: Text


class Paths(_Strict):
    """ONE question whose answer decides which documents apply ("first passport or exchange?")."""

    question: Text
    options: list[PathOption] = Field(min_length=2)

    @model_validator(mode="after")
    def _unique_options(self) -> Paths:
        _unique([o.id for o in self.options], "path option")
        return self

    def ids(self) -> list[str]:
        return [o.id for o in self.options]


class Document(_Strict):
    """One line of a document checklist."""

    id: str = Field(pattern=r"^[a-z0-9-]{1,20}$")
    text: Text  # the checklist line itself, ≤ 80 characters
    paths: list[str] | None = Field(default=None, min_length=1)  # path option ids; None = every path
    when: Text | None = None  # applies only in some cases: the person may mark it "not for me"
    note: Text | None = None  # a longer explanation, shown under "Details"
    optional: bool = False  # nice to have; never needed for a complete checklist


class Cost(_Strict):
    kind: Literal["free", "paid", "varies", "unknown"]
    text: Text


class Link(_Strict):
    title: Text
    url: str
    _url = field_validator("url")(classmethod(lambda cls, v: _check_url(v)))


class Where(_Strict):
    offices: list[str] = Field(default_factory=list)  # ids from offices.yaml
    body: Text  # who actually decides / provides the service


class ActRef(_Strict):
    act: str  # an id from acts.yaml
    part: Text | None = None  # article, paragraph or the part of the act that applies


class Quote(_Strict):
    """A few words from the page, so a reviewer can find the spot (in the page's language)."""

    uk: str | None = None
    en: str | None = None

    @model_validator(mode="after")
    def _some(self) -> Quote:
        if not (self.uk or self.en):
            raise ValueError("a quote needs uk or en text")
        return self


class Reading(_Strict):
    """An official page someone actually read."""

    url: str
    title: str = Field(min_length=3)
    published: dt.date | None = None  # the date the page itself shows
    read: dt.date  # the day the author read it
    quote: Quote | None = None
    level: Literal["national", "local"] = "national"  # local: a council's or regional body's .gov.ua page
    _url = field_validator("url")(classmethod(lambda cls, v: _check_url(v)))

    @model_validator(mode="after")
    def _published_before_read(self) -> Reading:
        if self.published and self.published > self.read:
            raise ValueError(f"published {self.published} is after read {self.read}")
        return self


class Evidence(Reading):
    """A page read for a card, and which of the card's fields it backs."""

    supports: list[Literal[SUPPORTABLE]] = Field(min_length=1)  # type: ignore[valid-type]


class Service(_Strict):
    id: str
    category: str
    title: Text
    summary: Text  # ≤ 220 characters: what it is and the key catch
    more: Text | None = None  # optional: more about the service, first thing under "Details"
    eligibility: Text
    paths: Paths | None = None
    documents: list[Document] = Field(default_factory=list)
    cost: Cost
    term: Text
    where: Where
    online: list[Link] = Field(default_factory=list)
    legal_basis: list[ActRef] = Field(min_length=1)
    evidence: list[Evidence] = Field(default_factory=list)
    checked: dt.date | None = None  # allowed only with sufficient evidence (kb check rule 11)
    synonyms: Synonyms = Field(default_factory=Synonyms)
    related: list[str] = Field(default_factory=list)

    _id = field_validator("id")(classmethod(lambda cls, v: _check_id(v)))

    @model_validator(mode="after")
    def _documents_and_paths(self) -> Service:
        _unique([d.id for d in self.documents], "document")
        options = set(self.paths.ids()) if self.paths else set()
        for d in self.documents:
            for p in d.paths or ():
                if not self.paths:
                    raise ValueError(f"document {d.id!r} names paths, but the card has no 'paths:' question")
                if p not in options:
                    raise ValueError(f"document {d.id!r}: unknown path option {p!r} (options: {sorted(options)})")
        return self

    def path_ids(self) -> list[str | None]:
        """The cases a checklist is walked for: each path option, or the single implicit path."""
        return list(self.paths.ids()) if self.paths else [None]


class Category(_Strict):
    id: str
    title: Text
    _id = field_validator("id")(classmethod(lambda cls, v: _check_id(v)))


class Situation(_Strict):
    """A life situation ("a child was born") that bundles several services."""

    id: str
    title: Text
    summary: Text
    services: list[str] = Field(min_length=1)
    synonyms: Synonyms = Field(default_factory=Synonyms)
    _id = field_validator("id")(classmethod(lambda cls, v: _check_id(v)))


class Office(_Strict):
    id: str
    name: Text
    address: Text
    hours: Text
    phone: str
    email: str | None = None
    how_to_get: Text | None = None
    main: bool = False
    _id = field_validator("id")(classmethod(lambda cls, v: _check_id(v)))


class Community(_Strict):
    name: Text
    website: str | None = None
    sample: bool = False  # True for the bundled demo community


# --- registries: acts, amounts, domains, abbreviations ---------------------------------

ACT_KINDS = ("law", "code", "cmu-resolution", "cmu-order", "ministry-order", "other")


class Act(_Strict):
    """A legal act, cited by cards through its id so it has one number and date everywhere."""

    id: str
    kind: Literal[ACT_KINDS]  # type: ignore[valid-type]
    number: str | None = None  # as the act states it: "5492-VI", "302", "167-р", "52/5"
    date: dt.date | None = None  # the date it was adopted
    title: Text  # without number and date; the renderer adds them
    url: str | None = None
    valid_until: dt.date | None = None  # for acts that cover one period (a budget year)
    _id = field_validator("id")(classmethod(lambda cls, v: _check_id(v)))

    @field_validator("url")
    @classmethod
    def _url(cls, v: str | None) -> str | None:
        return None if v is None else _check_url(v)

    @model_validator(mode="after")
    def _numbered(self) -> Act:
        if self.kind != "other" and not (self.number and self.date):
            raise ValueError(f"a {self.kind} needs its number and date")
        return self


class Sourced(_Strict):
    """A registry record that an act sets, with what was read to back it."""

    act: str
    evidence: list[Reading] = Field(default_factory=list)


class Base(Sourced):
    """A yearly base figure (subsistence minimum, minimum wage) set by an act."""

    value: Decimal = Field(gt=0)
    unit: Literal["UAH"] = "UAH"
    valid_from: dt.date
    valid_until: dt.date | None  # required key: write null only when the act sets no end


class Amount(Sourced):
    """A fee or payment: a fixed value, or a factor of a base."""

    value: Decimal | None = Field(default=None, gt=0)
    base: str | None = None
    factor: Decimal | None = Field(default=None, gt=0)
    unit: Literal["UAH"] = "UAH"
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None

    @model_validator(mode="after")
    def _one_way(self) -> Amount:
        if (self.value is None) == (self.base is None):
            raise ValueError("give either value: or base: with factor:")
        if self.base is not None and self.factor is None:
            raise ValueError("an amount with base: needs factor:")
        if self.value is not None:
            if self.factor is not None:
                raise ValueError("factor: is only for amounts with base:")
            if self.valid_from is None or "valid_until" not in self.model_fields_set:
                raise ValueError("a fixed value needs valid_from: and valid_until: (null only when the act sets no end)")
        return self


class Domains(_Strict):
    """Where links may point (kb-v2 §4)."""

    official: list[str] = Field(min_length=1)  # hosts (with their subdomains) for online, evidence, acts
    evidence_zones: list[str] = Field(default_factory=lambda: ["gov.ua"])  # other hosts here: evidence, level local
    portals: list[str] = Field(default_factory=list)  # hosts whose home page is itself the online service


class Abbreviation(_Strict):
    """The full form of an abbreviation (abbreviations.yaml is keyed by the abbreviation)."""

    uk: str = Field(min_length=3)  # "Центр надання адміністративних послуг"
    en: str | None = None
