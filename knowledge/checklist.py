"""Which documents a person still needs, for their case — pure functions the bot and `kb check` share.

A card may ask ONE question (`paths`: first passport / exchange / lost); a
document with `paths:` applies only on those answers. A document with `when:`
applies only in some cases, so the person may mark it "not for me". Optional
documents never count towards completion. With no answer chosen (path_id None)
on a card that asks one, every document is shown and the path-bound ones are
treated like `when:` items: they may be marked "not for me".
"""

from __future__ import annotations

from collections.abc import Collection

from knowledge.models import Document, Service


def _check_path(service: Service, path_id: str | None) -> None:
    if path_id is not None and path_id not in service.path_ids():
        raise ValueError(f"{service.id}: no path option {path_id!r}")


def conditional(doc: Document, path_id: str | None) -> bool:
    """May the person mark this document "not for me"?"""
    return doc.when is not None or (path_id is None and doc.paths is not None)


def on_path(doc: Document, path_id: str | None) -> bool:
    return path_id is None or doc.paths is None or path_id in doc.paths


def applicable(service: Service, path_id: str | None, not_applicable: Collection[str] = ()) -> list[Document]:
    """The documents listed for this case, without those the person marked "not for me"."""
    _check_path(service, path_id)
    return [
        d for d in service.documents
        if on_path(d, path_id) and not (d.id in not_applicable and conditional(d, path_id))
    ]


def required(service: Service, path_id: str | None, not_applicable: Collection[str] = ()) -> list[Document]:
    return [d for d in applicable(service, path_id, not_applicable) if not d.optional]


def progress(service: Service, path_id: str | None, ticked: Collection[str],
             not_applicable: Collection[str] = ()) -> tuple[int, int]:
    """(documents collected, documents needed) for this case."""
    needed = required(service, path_id, not_applicable)
    return sum(1 for d in needed if d.id in ticked), len(needed)


def complete(service: Service, path_id: str | None, ticked: Collection[str],
             not_applicable: Collection[str] = ()) -> bool:
    done, total = progress(service, path_id, ticked, not_applicable)
    return done == total
