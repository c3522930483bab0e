"""A service card as plain text: the first screen a citizen reads, and the details behind a button.

Pure functions with no bot imports: the bot, `kb check` (first-screen budget)
and tests share them. Labels that are not from YAML ("Documents:") are
gettext message ids of the project's catalog (babel.cfg extracts knowledge/ as
well); the caller passes a translator — any object with `gettext(msg)` and
`date(d)`, such as the bot's `bot.i18n.Translator` — so knowledge never
imports bot code. Without one, labels stay in English (the message ids).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING, Protocol

from babel.dates import format_date

from knowledge.acts import cited
from knowledge.checklist import applicable, conditional
from knowledge.evidence import verified
from knowledge.models import Document, Office, Service, Text

if TYPE_CHECKING:
    from knowledge.loader import KnowledgeBase

# One place on the first screen; the others are listed under "Details" (more addresses lose an older reader).
FIRST_SCREEN_OFFICES = 1


class Translate(Protocol):
    def gettext(self, message: str) -> str: ...

    def date(self, value: dt.date) -> str: ...


class Untranslated:
    """English labels (the message ids) and dates in the reader's language."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def gettext(self, message: str) -> str:
        return message

    def date(self, value: dt.date) -> str:
        return format_date(value, format="long", locale=self.lang)


def offices_of(service: Service, kb: KnowledgeBase) -> list[Office]:
    return [kb.offices[o] for o in service.where.offices if o in kb.offices] or [kb.main_office]


def document_lines(service: Service, lang: str, tr: Translate, path_id: str | None = None) -> list[str]:
    """One short line per document; one that not everybody needs is marked (the details say when)."""
    lines = []
    for d in applicable(service, path_id):
        line = "• " + d.text.get(lang)
        if d.optional:
            line += " — " + tr.gettext("optional")
        elif conditional(d, path_id):
            line += " — " + tr.gettext("if it applies to you")
        lines.append(line)
    return lines


def first_screen(service: Service, kb: KnowledgeBase, lang: str, tr: Translate | None = None,
                 path_id: str | None = None) -> str:
    """Title, summary, documents, where (office and address), cost and term."""
    tr = tr or Untranslated(lang)
    parts = [service.title.get(lang), service.summary.get(lang)]
    if service.documents:
        parts.append("\n".join([tr.gettext("Documents:"), *document_lines(service, lang, tr, path_id)]))
    office = offices_of(service, kb)[0]
    parts.append(tr.gettext("Where to apply:") + f" {office.name.get(lang)}, {office.address.get(lang)}")
    parts.append(
        tr.gettext("Cost: {cost}").format(cost=service.cost.text.get(lang))
        + "\n"
        + tr.gettext("Term: {term}").format(term=service.term.get(lang))
    )
    return "\n\n".join(parts)


def details(service: Service, kb: KnowledgeBase, lang: str, tr: Translate | None = None) -> str:
    """Who can get it, notes on documents, who provides it, legal basis, sources and whether it was checked."""
    tr = tr or Untranslated(lang)
    parts = [service.more.get(lang)] if service.more else []
    parts.append(tr.gettext("Who can get it:") + "\n" + service.eligibility.get(lang))
    notes = [_document_note(service, d, lang, tr) for d in service.documents
             if d.paths or d.when is not None or d.note is not None]
    if notes:
        parts.append("\n".join([tr.gettext("About the documents:"), *notes]))
    parts.append(tr.gettext("Who provides it: {body}").format(body=service.where.body.get(lang)))
    others = offices_of(service, kb)[FIRST_SCREEN_OFFICES:]
    if others:
        parts.append("\n".join([tr.gettext("You can also apply at:"),
                                *(f"• {o.name.get(lang)}, {o.address.get(lang)}" for o in others)]))
    parts.append("\n".join([tr.gettext("Legal basis:"), *legal_basis_lines(service, kb, lang)]))
    parts.append(verification(service, tr))
    return "\n\n".join(parts)


def _document_note(service: Service, d: Document, lang: str, tr: Translate) -> str:
    """"• Document — to whom it applies. The longer note"."""
    line = f"• {d.text.get(lang)}"
    if d.paths and service.paths:
        labels = {o.id: o.label.get(lang) for o in service.paths.options}
        line += " — " + tr.gettext("only for: {cases}").format(cases="; ".join(labels[p] for p in d.paths))
    if d.when is not None:
        line += " — " + d.when.get(lang)
    return line + (f". {d.note.get(lang)}" if d.note is not None else "")


def legal_basis_lines(service: Service, kb: KnowledgeBase, lang: str) -> list[str]:
    return [f"• {cited(ref, kb.acts, lang)}" for ref in service.legal_basis]


def verification(service: Service, tr: Translate) -> str:
    """"Checked on DATE against: <pages>" only when the evidence backs it; otherwise say it plainly."""
    read = [tr.gettext("{title} (read on {date})").format(title=e.title, date=tr.date(e.read)) for e in service.evidence]
    if verified(service):
        return tr.gettext("Checked on {date} against: {sources}").format(
            date=tr.date(service.checked) if service.checked else "", sources="; ".join(read)
        )
    unchecked = tr.gettext("This information has not yet been checked against an official source — "
                           "please check with the CNAP.")
    if not read:
        return unchecked
    return "\n".join([tr.gettext("Sources read:"), *(f"• {r}" for r in read), "", unchecked])


def reading_order(card: Service) -> Iterator[tuple[str, Text]]:
    """Texts in the order a reader meets them (first screen, then details), for first-use rules.

    Titles and the labels of online buttons are names, not prose: they are left out.
    """
    yield "summary", card.summary
    if card.paths:
        yield "paths.question", card.paths.question
        for i, o in enumerate(card.paths.options):
            yield f"paths.options[{i}].label", o.label
    for i, d in enumerate(card.documents):
        yield f"documents[{i}].text", d.text
    yield "cost.text", card.cost.text
    yield "term", card.term
    if card.more is not None:
        yield "more", card.more
    yield "eligibility", card.eligibility
    for i, d in enumerate(card.documents):
        for name in ("when", "note"):
            if (text := getattr(d, name)) is not None:
                yield f"documents[{i}].{name}", text
    yield "where.body", card.where.body
    for i, ref in enumerate(card.legal_basis):
        if ref.part is not None:
            yield f"legal_basis[{i}].part", ref.part
