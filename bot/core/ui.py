"""Pieces of text several flows share: the offline route to the CNAP above all."""

from __future__ import annotations

from bot.core.context import Context
from bot.i18n import Translator
from knowledge.models import Office

# The parts of the offline route a person may ask about (knowledge.search's `contact_topic`).
CONTACT_PARTS = ("address", "hours", "phone", "route")


def office_block(t: Translator, office: Office, first: str | None = None) -> str:
    """Name, address, hours, phone and how to get there: the offline route that ends every answer.

    `first` ("address", "hours", "phone", "route") puts the part the person asked about
    right under the name; the rest follows in the usual order.
    """
    _ = t.gettext
    parts = {
        "address": _("Address: {address}").format(address=office.address.get(t.lang)),
        "hours": _("Opening hours: {hours}").format(hours=office.hours.get(t.lang)),
        "phone": _("Phone: {phone}").format(phone=office.phone),
    }
    if office.how_to_get:
        parts["route"] = _("How to get there: {route}").format(route=office.how_to_get.get(t.lang))
    elif first == "route":
        first = "address"  # no directions on file: the address is the best answer
    order = sorted(parts, key=lambda part: (part != first, CONTACT_PARTS.index(part)))
    return "\n".join([f"🏢 {office.name.get(t.lang)}", *(parts[p] for p in order)])


def cnap_contacts(ctx: Context) -> str:
    if ctx.kb is None or not ctx.kb.offices:
        return ""
    return ctx._("You can always ask in person:") + "\n" + office_block(ctx.t, ctx.kb.main_office)


def short(label: str, limit: int = 60) -> str:
    """Button labels: long ones are cut so they stay readable on a phone."""
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"
