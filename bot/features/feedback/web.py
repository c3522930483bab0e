"""Feedback in the staff console: the dashboard per office and period, exports, and the QR posters.

Office staff see their offices; admins without an office see every office. Another office's id in
the address gets the same "not found" page as an office that does not exist. The dashboard reads
per-day counts (rollup.py); the exports use the report code of `run_bot.py feedback report`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import tempfile
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from bot.core.activity import mask_personal
from bot.core.feature import ConsolePage
from bot.features.feedback import rollup, store
from bot.features.feedback.export import response_table, summary_table, write_csv, write_xlsx
from bot.features.feedback.links import Target, make_payload
from bot.features.feedback.poster import PosterCode, make_poster
from bot.features.feedback.report import one_decimal, percent, summarize
from bot.features.feedback.surveys import SurveyError, SurveySet, get_surveys
from bot.i18n import N_
from bot.webui import ConsoleRequest
from bot.webui.charts import Chart
from bot.webui.upkeep import every

STAFF = frozenset({"staff", "admin"})
PERIODS = (7, 30, 90, 365)
DEFAULT_DAYS = 30


@dataclass
class Filters:
    offices: list[str] | None  # None: every office (an admin of all)
    office: str  # "" = all the person may see
    service: str
    window: str
    since: dt.date
    until: dt.date
    days: int | None

    def query(self) -> str:
        parts = [f"office={self.office}", f"service={self.service}", f"window={self.window}"]
        parts += [f"days={self.days}"] if self.days else [f"since={self.since}", f"until={self.until}"]
        return "&".join(parts)


def _surveys(req: ConsoleRequest) -> SurveySet:
    try:
        return get_surveys(req.settings.kb_dir)
    except SurveyError:
        req.refuse(503, req._("The survey files are broken; run: python run_bot.py feedback check"))


def _filters(req: ConsoleRequest) -> Filters:
    visible = req.offices(STAFF)
    office = req.query("office")
    if office and office not in {o.id for o in visible}:
        req.refuse(404)  # another office's results: as if it did not exist
    allowed = req.me.offices(STAFF)
    offices = [office] if office else (None if allowed is None else [o.id for o in visible])
    service = req.query("service")
    if service and service not in req.kb.services:
        service = ""
    window = req.query("window")[:8]
    today = req.today()
    days = int(req.query("days")) if req.query("days").isdigit() and int(req.query("days")) in PERIODS else None
    try:
        since = dt.date.fromisoformat(req.query("since")) if req.query("since") and not days else None
        until = dt.date.fromisoformat(req.query("until")) if req.query("until") and not days else None
    except ValueError:
        since = until = None
    if since is None or until is None or since > until:
        days = days or DEFAULT_DAYS
        until, since = today, today - dt.timedelta(days=days - 1)
    return Filters(offices, office, service, window, since, until, days)


def _share(t, share: float | None) -> str:
    return "—" if share is None else percent(t, share)


async def dashboard(req: ConsoleRequest) -> web.StreamResponse:
    f = _filters(req)
    surveys = _surveys(req)
    async with req.db.sessions() as session:
        counted = await rollup.counts(session, surveys, f.offices, f.since, f.until, f.service or None, f.window or None)
        comments = await rollup.latest_comments(session, surveys, f.offices, f.since, f.until, f.service or None,
                                                f.window or None)
    summary = rollup.summary_of(counted, surveys, req.lang, f.since, f.until)
    t, _ = req.t, req._
    weeks = [t.date(w.start, "d MMM") for w in summary.weeks]
    low_max = summary.scale_survey.low_max if summary.scale_survey else 2
    main = next((s for s in summary.ratings if summary.scale_survey and s.question.id == summary.scale_survey.main_rating), None)
    figures = [
        (_("Responses"), t.number(summary.responses)),
        (_("Average rating (of 5)"), one_decimal(t, main.average if main else None)),
        (_("Low overall ratings (1–{max})").format(max=low_max), _share(t, summary.low_share)),
    ]
    charts = [
        Chart(_("Responses per week"), weeks, [(_("Responses"), [w.responses for w in summary.weeks])],
              description=_("Bars: the number of responses in each week of the period.")),
        Chart(_("Average overall rating per week"), weeks, [(_("Average (of 5)"), [w.average for w in summary.weeks])],
              kind="line", max_value=5, description=_("A line: the week's average of the main rating, 1 to 5.")),
    ]
    names = {o.id: o.name.get(req.lang) for o in req.kb.offices.values()}
    rows = [(st.question.label.get(req.lang), st.answered, one_decimal(t, st.average), _share(t, st.low_share(low_max)),
             "; ".join(f"{words}: {n}" for words, n in st.breakdown(t))) for st in summary.questions]
    return req.render(
        "feedback/dashboard.html", title=_("Feedback"), f=f, offices=req.offices(STAFF), periods=PERIODS,
        services=sorted(req.kb.services.values(), key=lambda s: s.title.get(req.lang)), figures=figures,
        charts=charts, rows=rows, low_max=low_max, names=names,
        comments=[(t.date(day, "d MMM y"), names.get(office, office), mask_personal(text)) for day, office, text in comments],
    )


async def _export(req: ConsoleRequest, fmt: str, part: str = "responses") -> web.StreamResponse:
    f = _filters(req)
    surveys = _surveys(req)
    async with req.db.sessions() as session, session.begin():
        rows = await store.responses(session, f.offices, f.since, f.until)
        req.audit(session, "feedback_export", f"{fmt} {f.office or 'all'} {f.since}..{f.until}")
    rows = [r for r in rows if (not f.service or r.service_id == f.service) and (not f.window or r.window == f.window)]

    def build() -> bytes:
        summary = summarize(rows, surveys, req.lang, f.since, f.until)
        header, table = response_table(rows, surveys, req.kb, req.t)
        summ = summary_table(summary, req.t, f.since, f.until)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"feedback.{fmt}"
            written = write_csv(path, header, table, summ, req.t) if fmt == "csv" else write_xlsx(path, header, table, summ, req.t)
            return written[1 if part == "summary" else 0].read_bytes()

    data = await asyncio.to_thread(build)
    name = f"feedback-{f.office or 'all'}-{f.since}-{f.until}{'-summary' if part == 'summary' else ''}.{fmt}"
    kind = "text/csv" if fmt == "csv" else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return web.Response(body=data, content_type=kind, headers={"Content-Disposition": f'attachment; filename="{name}"'})


async def export_csv(req: ConsoleRequest) -> web.StreamResponse:
    return await _export(req, "csv")


async def export_summary_csv(req: ConsoleRequest) -> web.StreamResponse:
    return await _export(req, "csv", "summary")


async def export_xlsx(req: ConsoleRequest) -> web.StreamResponse:
    return await _export(req, "xlsx")


# --- posters ---------------------------------------------------------------------------------------


def _poster_office(req: ConsoleRequest):
    office = req.kb.offices.get(req.match("office"))
    if office is None or not req.me.covers(office.id, STAFF):
        req.refuse(404)
    return office


def _codes(req: ConsoleRequest, office_id: str) -> list[PosterCode]:
    links = req.services.deep_links.urls(make_payload(Target(office_id))) if req.services.deep_links else {}
    return [PosterCode(name.title(), link, link.removeprefix("https://").split("?")[0] if link.startswith("https://") else "")
            for name, link in links.items()]


async def poster_page(req: ConsoleRequest) -> web.StreamResponse:
    office = _poster_office(req)
    survey = _surveys(req).for_target(office.id)
    return req.render("feedback/poster.html", title=req._("Poster: {office}").format(office=office.name.get(req.lang)),
                      office=office, survey=survey, codes=_codes(req, office.id))


async def poster_file(req: ConsoleRequest) -> web.StreamResponse:
    office = _poster_office(req)
    fmt = req.match("fmt")
    survey = _surveys(req).for_target(office.id)
    codes = _codes(req, office.id)
    if fmt not in ("svg", "pdf") or survey is None or not codes:
        req.refuse(404)
    lang = req.lang
    data = await asyncio.to_thread(
        make_poster, fmt, heading=req.kb.community.name.get(lang), office=office.name.get(lang),
        call_to_action=survey.call_to_action.get(lang), note=survey.poster_note.get(lang) if survey.poster_note else "",
        codes=codes[:2])
    kind = "image/svg+xml" if fmt == "svg" else "application/pdf"
    disposition = "inline" if fmt == "svg" else f'attachment; filename="poster-{office.id}.pdf"'
    return web.Response(body=data, content_type=kind, headers={"Content-Disposition": disposition})


PAGES = (
    ConsolePage("/feedback", dashboard, STAFF, nav=N_("Feedback"), order=10),
    ConsolePage("/feedback/export.csv", export_csv, STAFF),
    ConsolePage("/feedback/summary.csv", export_summary_csv, STAFF),
    ConsolePage("/feedback/export.xlsx", export_xlsx, STAFF),
    ConsolePage("/feedback/poster/{office:[a-z0-9-]+}", poster_page, STAFF),
    ConsolePage("/feedback/poster/{office:[a-z0-9-]+}.{fmt:svg|pdf}", poster_file, STAFF),
)


def mount_upkeep(web_app: web.Application, services, db) -> None:
    """Under `serve`: fold closed days' responses into per-day counts, every 10 minutes."""
    from zoneinfo import ZoneInfo

    async def fold() -> None:
        today = services.clock.now().astimezone(ZoneInfo(services.settings.timezone)).date()
        async with db.sessions() as session, session.begin():
            await rollup.roll_up(session, get_surveys(services.settings.kb_dir), today)

    every(web_app, "feedback-rollup", 600, fold, now=services.clock.now)
