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
    """Button labels (and other one-line cuts): a long one is cut after its last whole word and ends
    with "…", so it stays readable on a phone. A single word longer than the limit is cut inside it."""
    label = " ".join(label.split())
    if len(label) <= limit:
        return label
    cut = label[: limit - 1]
    if label[limit - 1] != " " and " " in cut:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,.;:—–-(") + "…"


async def no_text_here(ctx: Context) -> None:
    """The answer to text typed on a screen that only has buttons (a staff or social-worker screen):
    such text may hold someone's details, so it is never handed to the search. The screen is shown again."""
    ctx.say(ctx._("This screen takes no typed text: please use its buttons. To search for a service, "
                  "open the main menu first."))
    await ctx.redraw()
