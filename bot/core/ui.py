"""Pieces of text several flows share: the offline route to the CNAP above all."""

from __future__ import annotations

from bot.core.context import Context
from bot.i18n import Translator
from knowledge.models import Office


def office_block(t: Translator, office: Office) -> str:
    """Name, address, hours and phone: the offline route that ends every answer."""
    _ = t.gettext
    lines = [
        f"🏢 {office.name.get(t.lang)}",
        _("Address: {address}").format(address=office.address.get(t.lang)),
        _("Opening hours: {hours}").format(hours=office.hours.get(t.lang)),
        _("Phone: {phone}").format(phone=office.phone),
    ]
    if office.how_to_get:
        lines.append(_("How to get there: {route}").format(route=office.how_to_get.get(t.lang)))
    return "\n".join(lines)


def cnap_contacts(ctx: Context) -> str:
    if ctx.kb is None or not ctx.kb.offices:
        return ""
    return ctx._("You can always ask in person:") + "\n" + office_block(ctx.t, ctx.kb.main_office)


def short(label: str, limit: int = 60) -> str:
    """Button labels: long ones are cut so they stay readable on a phone."""
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"
