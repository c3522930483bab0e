"""Closing the loop on unanswered searches (admins): what people typed and found nothing for, grouped by
similarity with counts; link a query to the service that answers it (it becomes a community synonym
in `community-synonyms.yaml`, checked by `kb check`, and the search is rebuilt at once), or mark it
"not our service"."""

from __future__ import annotations

import datetime as dt

from aiohttp import web

from bot.core import activity
from bot.core.feature import ConsolePage
from bot.i18n import N_
from bot.webui import ConsoleRequest
from knowledge import overlay
from knowledge.loader import DATA_DIR

ADMIN = frozenset({"admin"})
PERIODS = (7, 30, 90, 365)
TOP = 300  # distinct queries grouped (the most frequent); the long tail waits for the next period
SHOWN = 40  # groups on the page


def kb_dir(req: ConsoleRequest):
    return req.settings.kb_dir or DATA_DIR


async def unanswered_groups(req: ConsoleRequest, since: dt.date, until: dt.date) -> list[activity.Group]:
    """Unanswered queries of the period not dealt with yet, grouped (the figures page shows them too)."""
    handled = overlay.read(kb_dir(req)).handled()
    async with req.db.sessions() as session:
        return await activity.unanswered(session, since, until, handled, overlay.fold, TOP)


def _suggest(req: ConsoleRequest, query: str) -> str | None:
    search = req.services.search
    hits = search.search(query, lang=req.lang, limit=1) if search is not None else []
    return hits[0].id if hits and hits[0].kind == "service" else None


async def unanswered(req: ConsoleRequest) -> web.StreamResponse:
    days = int(req.query("days")) if req.query("days").isdigit() and int(req.query("days")) in PERIODS else 30
    until = req.today()
    since = until - dt.timedelta(days=days - 1)
    groups = (await unanswered_groups(req, since, until))[:SHOWN]
    done = overlay.read(kb_dir(req))
    services = sorted(req.kb.services.values(), key=lambda s: s.title.get(req.lang))
    return req.render("services/unanswered.html", title=req._("Unanswered searches"), groups=groups, days=days,
                      periods=PERIODS, services=services, suggest={g.label: _suggest(req, g.label) for g in groups},
                      linked=list(reversed(done.synonyms))[:20], not_ours=list(reversed(done.not_ours))[:20],
                      titles={s.id: s.title.get(req.lang) for s in services})


def _query(form) -> str:
    return " ".join(form.get("query").split())[:120]


async def link(req: ConsoleRequest) -> web.StreamResponse:
    form = await req.form()
    query, service_id = _query(form), form.get("service")
    if len(query) < 2 or service_id not in req.kb.services:
        await req.done("/unanswered", req._("Choose the service that answers this query."))
    overlay.add_link(kb_dir(req), query, service_id, req.today())
    if req.services.search is not None and hasattr(req.services.search, "refresh"):
        await req.services.search.refresh()  # this process answers with the new synonym from the next search on
    async with req.db.sessions() as session, session.begin():
        req.audit(session, "synonym_added", f"«{query}» → {service_id}")
    title = req.kb.services[service_id].title.get(req.lang)
    await req.done("/unanswered", req._("Linked: «{query}» → {service}. The bot finds it from now on.").format(
        query=query, service=title))


async def not_ours(req: ConsoleRequest) -> web.StreamResponse:
    query = _query(await req.form())
    if not query:
        await req.done("/unanswered")
    overlay.add_not_ours(kb_dir(req), query, req.today())
    async with req.db.sessions() as session, session.begin():
        req.audit(session, "query_not_ours", f"«{query}»")
    await req.done("/unanswered", req._("Marked as not our service: «{query}».").format(query=query))


PAGES = (
    ConsolePage("/unanswered", unanswered, ADMIN, nav=N_("Unanswered searches"), order=50),
    ConsolePage("/unanswered/link", link, ADMIN, method="POST"),
    ConsolePage("/unanswered/not-ours", not_ours, ADMIN, method="POST"),
)
