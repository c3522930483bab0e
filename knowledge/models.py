"""Typed schema of the knowledge base.

Data files are YAML that community staff edit by hand; these models validate
them on load so a mistake is reported with its file, record and field instead
of surfacing later as a broken answer in a chat.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

LANGS = ("uk", "en")
ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Button payloads carry ids; Telegram allows 64 bytes of callback data in all.
MAX_ID_LEN = 40


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Strict):
    """A user-facing text in every interface language (uk is the reference)."""

    uk: str = Field(min_length=1)
    en: str = Field(min_length=1)

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


class Document(_Strict):
    """One line of a document checklist."""

    id: str = Field(pattern=r"^[a-z0-9-]{1,20}$")
    text: Text
    condition: Text | None = None  # e.g. "for a child under 14", "if you act by proxy"
    optional: bool = False


class Cost(_Strict):
    kind: Literal["free", "paid", "varies", "unknown"]
    text: Text


class Link(_Strict):
    title: Text
    url: str

    @field_validator("url")
    @classmethod
    def _url(cls, v: str) -> str:
        if not re.match(r"^https://[A-Za-z0-9.-]+\.[a-z]{2,}(?:[/?#][^\s]*)?$", v):
            raise ValueError(f"{v!r} is not a well-formed https:// link")
        return v


class Where(_Strict):
    offices: list[str] = Field(default_factory=list)  # ids from offices.yaml
    body: Text  # who actually decides / provides the service


class Service(_Strict):
    id: str
    category: str
    title: Text
    summary: Text
    eligibility: Text
    documents: list[Document] = Field(default_factory=list)
    cost: Cost
    term: Text
    where: Where
    online: list[Link] = Field(default_factory=list)
    legal_basis: list[Text] = Field(min_length=1)
    synonyms: Synonyms = Field(default_factory=Synonyms)
    related: list[str] = Field(default_factory=list)
    source: str
    checked: dt.date

    _id = field_validator("id")(classmethod(lambda cls, v: _check_id(v)))

    @model_validator(mode="after")
    def _unique_documents(self) -> Service:
        seen: set[str] = set()
        for d in self.documents:
            if d.id in seen:
                raise ValueError(f"document id {d.id!r} repeats")
            seen.add(d.id)
        return self


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
