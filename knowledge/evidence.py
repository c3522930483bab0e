"""What the pages an author read can vouch for.

A card may say "checked on DATE" only when the pages read back what a person
acts on — the documents, the cost and the term — and were all read by then.
"""

from __future__ import annotations

from knowledge.models import Service

NEEDED_FOR_CHECKED = ("documents", "cost", "term")


def backed(service: Service, field: str) -> bool:
    """Does at least one page read back this card field?"""
    return any(field in e.supports for e in service.evidence)


def missing_for_checked(service: Service) -> list[str]:
    return [f for f in NEEDED_FOR_CHECKED if not backed(service, f)]


def verified(service: Service) -> bool:
    """`checked` is set, the evidence backs documents, cost and term, and every page was read by then."""
    return (
        service.checked is not None
        and not missing_for_checked(service)
        and all(e.read <= service.checked for e in service.evidence)
    )
