"""The service card: a short first screen (what to bring, where, cost, term), the rest behind buttons.

The texts come from `knowledge.card` (shared with `kb check`, which keeps the first screen within a
phone screen). Links are buttons with their names: no raw URL is ever put in a card's text.
"""

from __future__ import annotations

from bot.core.context import Context
from bot.core.ui import short
from bot.features.services.flows import router
from knowledge.card import details, first_screen, offices_of
from knowledge.models import Service

MAX_RELATED = 3


def first_message(ctx: Context, svc: Service) -> str:
    """`knowledge.card.first_screen`, with the office's phone and hours under its address (the offline route)."""
    _ = ctx._
    office = offices_of(svc, ctx.kb)[0]
    reach = _("Phone: {phone}").format(phone=office.phone) + "\n" + _("Opening hours: {hours}").format(
        hours=office.hours.get(ctx.lang))
    paragraphs = first_screen(svc, ctx.kb, ctx.lang, ctx.t).split("\n\n")
    where = _("Where to apply:")
    at = next((n for n, p in enumerate(paragraphs) if p.startswith(where)), None)
    if at is None:
        paragraphs.append(reach)
    else:
        paragraphs[at] += "\n" + reach
    return "📄 " + "\n\n".join(paragraphs)


@router.action("svc", screen=True)
async def service(ctx: Context, service_id: str) -> bool:
    svc = ctx.kb.services.get(service_id) if ctx.kb else None
    if svc is None:
        return False
    ctx.count("service", svc.id)
    _ = ctx._
    rows = []
    if svc.documents:
        rows.append([ctx.btn(_("Document list ✅"), "cl", svc.id)])
    rows.append([ctx.btn(_("Who can get it"), "svcwho", svc.id)])
    rows.append([ctx.btn(_("Details and legal basis"), "svcinfo", svc.id)])
    rows += [[ctx.url_btn(short("🌐 " + link.title.get(ctx.lang)), link.url)] for link in svc.online]
    related = [ctx.kb.services[r] for r in svc.related if r in ctx.kb.services][:MAX_RELATED]
    rows += [[ctx.btn(short("↪ " + r.title.get(ctx.lang)), "svc", r.id)] for r in related]
    ctx.say(first_message(ctx, svc), [*rows, ctx.nav_row()])
    return True


@router.action("svcwho", screen=True)
async def who_can_get_it(ctx: Context, service_id: str) -> bool:
    svc = ctx.kb.services.get(service_id)
    if svc is None:
        return False
    _ = ctx._
    rows = [[ctx.btn(_("Document list ✅"), "cl", svc.id)]] if svc.documents else []
    ctx.say(f"👥 {svc.title.get(ctx.lang)}\n\n" + _("Who can get it:") + "\n" + svc.eligibility.get(ctx.lang),
            [*rows, ctx.nav_row()])
    return True


@router.action("svcinfo", screen=True)
async def service_details(ctx: Context, service_id: str) -> bool:
    """Notes, who provides it, the legal basis with act titles, the pages read and whether they back a check."""
    svc = ctx.kb.services.get(service_id)
    if svc is None:
        return False
    ctx.say(f"ℹ️ {svc.title.get(ctx.lang)}\n\n" + details(svc, ctx.kb, ctx.lang, ctx.t), [ctx.nav_row()])
    return True


@router.deeplink("svc")
async def service_link(ctx: Context, service_id: str) -> bool:
    """`/start svc_<id>`: a link or QR code on a CNAP poster that opens a service card."""
    if not ctx.kb or service_id not in ctx.kb.services:
        return False
    shown = len(ctx.replies)
    await ctx.show("menu")
    del ctx.replies[shown:]  # the menu is only the Back target; the person sees the card
    return await ctx.show("svc", service_id)
