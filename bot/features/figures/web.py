"""Community figures in the staff console (admins): the dashboard by day, week or month; the monthly
summary for CNAP heads (one printable page); the open-data export and its schema."""

from __future__ import annotations

import asyncio
import datetime as dt
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.core import activity
from bot.core.feature import ConsolePage
from bot.features.figures import opendata
from bot.features.figures.numbers import Figures, collect
from bot.i18n import N_
from bot.webui import ConsoleRequest
from bot.webui.charts import Chart
from bot.webui.upkeep import every
from knowledge import overlay
from knowledge.loader import DATA_DIR

ADMIN = frozenset({"admin"})
PERIODS = (30, 90, 365)
BY = {"day": N_("by day"), "week": N_("by week"), "month": N_("by month")}


def _label(req: ConsoleRequest, day: dt.date, by: str) -> str:
    return req.t.date(day, "LLL y") if by == "month" else req.t.date(day, "d MMM")


def _percent(req: ConsoleRequest, share: float | None) -> str:
    return "—" if share is None else f"{req.t.number(round(100 * share, 1))} %"


async def _unanswered(req: ConsoleRequest, since: dt.date, until: dt.date, top: int) -> list[activity.Group]:
    handled = overlay.read(req.settings.kb_dir or DATA_DIR).handled()
    async with req.db.sessions() as session:
        return (await activity.unanswered(session, since, until, handled, overlay.fold))[:top]


def _office_rows(req: ConsoleRequest, fig: Figures) -> list[tuple[str, int, int, str, str, str]]:
    rows = []
    for office_id, o in sorted(fig.offices.items()):
        office = req.kb.offices.get(office_id)
        rate = o["done"] / o["started"] if o["started"] else None
        avg = o["rating_sum"] / o["rated"] if o["rated"] else None
        rows.append((office.name.get(req.lang) if office else office_id, int(o["started"]), int(o["done"]),
                     _percent(req, rate), "—" if avg is None else req.t.number(round(avg, 1)),
                     _percent(req, o["low"] / o["rated"] if o["rated"] else None)))
    return rows


def _named(req: ConsoleRequest, items: list[tuple[str, int]], table: dict) -> list[tuple[str, int]]:
    out = []
    for key, n in items:
        thing = table.get(key)
        name = (thing.title if hasattr(thing, "title") else thing.name).get(req.lang) if thing else key
        out.append((name, n))
    return out


async def dashboard(req: ConsoleRequest) -> web.StreamResponse:
    days = int(req.query("days")) if req.query("days").isdigit() and int(req.query("days")) in PERIODS else 30
    by = req.query("by") if req.query("by") in BY else ("day" if days <= 30 else "week" if days <= 90 else "month")
    until = req.today()
    since = until - dt.timedelta(days=days - 1)
    async with req.db.sessions() as session:
        fig = await collect(session, since, until, by)
    groups = await _unanswered(req, since, until, 10)
    _ = req._
    labels = [_label(req, b, by) for b in fig.labels]
    searches = [f + m for f, m in zip(fig.per_bucket["search_found"], fig.per_bucket["search_not_found"])]
    charts = [
        Chart(_("Conversations and searches"), labels, [(_("Conversations"), fig.per_bucket["conversation"]),
                                                         (_("Searches"), searches)], kind="line",
              description=_("Two lines: people who wrote to the bot, and searches, in each period.")),
        Chart(_("Searches that found a service, %"), labels, [(_("Found, %"), fig.found_rates())], kind="line",
              max_value=100, description=_("A line: the share of searches that found a service confidently.")),
    ]
    return req.render(
        "figures/dashboard.html", title=_("Community figures"), fig=fig, charts=charts, days=days, by=by, periods=PERIODS,
        bys=BY, groups=groups, offices=_office_rows(req, fig),
        services=_named(req, fig.services, req.kb.services), topics=_named(req, fig.topics, req.kb.categories),
        situations=_named(req, fig.situations, req.kb.situations), headline=_headline(req, fig),
    )


def _headline(req: ConsoleRequest, fig: Figures) -> list[tuple[str, str]]:
    _, t, tot = req._, req.t, fig.totals
    lookups = tot["status_lookup_found"] + tot["status_lookup_not_found"]
    return [
        (_("Conversations"), t.number(tot["conversation"])),
        (_("Searches"), t.number(tot["search_found"] + tot["search_not_found"])),
        (_("Found a service"), _percent(req, fig.found_rate)),
        (_("Status lookups"), t.number(lookups)),
        (_("Checklists started / completed"), f"{t.number(tot['checklist_started'])} / {t.number(tot['checklist_completed'])}"),
        (_("Surveys completed (of started)"), f"{t.number(tot['survey_done'])} / {t.number(tot['survey_started'])}"),
        (_("Average satisfaction (of 5)"), "—" if fig.satisfaction is None else t.number(round(fig.satisfaction, 1))),
        (_("Messages sent / failed"), f"{t.number(fig.delivery.get('sent', 0))} / {t.number(fig.delivery.get('failed', 0))}"),
    ]


def _month(req: ConsoleRequest) -> dt.date:
    try:
        return dt.datetime.strptime(req.query("month"), "%Y-%m").date()
    except ValueError:
        return (req.today().replace(day=1) - dt.timedelta(days=1)).replace(day=1)  # last full month


async def summary(req: ConsoleRequest) -> web.StreamResponse:
    first = _month(req)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    before_first = (first - dt.timedelta(days=1)).replace(day=1)
    async with req.db.sessions() as session:
        fig = await collect(session, first, last, "month", top=5)
        prev = await collect(session, before_first, first - dt.timedelta(days=1), "month", top=5)
    groups = await _unanswered(req, first, last, 5)
    return req.render(
        "figures/summary.html", title=req._("Monthly summary: {month}").format(month=req.t.date(first, "LLLL y")),
        fig=fig, headline=_headline(req, fig), previous=_headline(req, prev), groups=groups,
        services=_named(req, fig.services, req.kb.services), offices=_office_rows(req, fig), month=first,
        prev_month=before_first, next_month=(last + dt.timedelta(days=1)) if last < req.today() else None,
    )


async def open_data_page(req: ConsoleRequest) -> web.StreamResponse:
    year = req.today().year
    return req.render("figures/opendata.html", title=req._("Open data"), columns=opendata.COLUMNS,
                      measures=opendata.MEASURES, years=list(range(year, year - 5, -1)), suppress=opendata.SUPPRESS)


async def open_data_csv(req: ConsoleRequest) -> web.StreamResponse:
    year = int(req.query("year")) if req.query("year").isdigit() else req.today().year
    since, until = dt.date(year, 1, 1), min(dt.date(year, 12, 31), req.today())
    async with req.db.sessions() as session, session.begin():
        table = await opendata.rows(session, req.kb, since, until)
        req.audit(session, "open_data_export", str(year))
    body = await asyncio.to_thread(opendata.to_csv, table)
    return web.Response(body=body, content_type="text/csv", charset="utf-8",
                        headers={"Content-Disposition": f'attachment; filename="hromada-bot-open-data-{year}.csv"'})


PAGES = (
    ConsolePage("/figures", dashboard, ADMIN, nav=N_("Community figures"), order=40),
    ConsolePage("/figures/summary", summary, ADMIN),
    ConsolePage("/figures/open-data", open_data_page, ADMIN),
    ConsolePage("/figures/open-data.csv", open_data_csv, ADMIN),
)


def mount_upkeep(web_app: web.Application, services, db) -> None:
    """Under `serve`: fold past days' activity events into per-day counts, every 10 minutes."""

    async def fold() -> None:
        today = services.clock.now().astimezone(ZoneInfo(services.settings.timezone)).date()
        async with db.sessions() as session, session.begin():
            await activity.rollup(session, today)

    every(web_app, "activity-rollup", 600, fold, now=services.clock.now)
