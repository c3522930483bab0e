"""The audit log in the console: admins read it (newest first) and export it as CSV. Nobody edits it."""

from __future__ import annotations

import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.core.feature import ConsolePage
from bot.i18n import N_
from bot.webui import ConsoleRequest
from bot.webui.audit import ACTIONS, entries

ADMIN = frozenset({"admin"})
PAGE = 100


def _period(req: ConsoleRequest) -> tuple[dt.date, dt.date]:
    today = req.today()
    try:
        since = dt.date.fromisoformat(req.query("since")) if req.query("since") else today - dt.timedelta(days=30)
        until = dt.date.fromisoformat(req.query("until")) if req.query("until") else today
    except ValueError:
        req.refuse(400, req._("Dates must look like 2026-12-01."))
    return since, until


def _bounds(req: ConsoleRequest, since: dt.date, until: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = ZoneInfo(req.settings.timezone)
    start = dt.datetime.combine(since, dt.time(), tz)
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), tz)
    return start, end


async def audit_log(req: ConsoleRequest) -> web.StreamResponse:
    since, until = _period(req)
    action = req.query("action")
    if action and action not in ACTIONS:
        action = ""
    before = int(req.query("before")) if req.query("before").isdigit() else None
    start, end = _bounds(req, since, until)
    async with req.db.sessions() as session:
        rows = await entries(session, since=start, until=end, action=action or None, limit=PAGE + 1, before_id=before)
    more = rows[PAGE].id if len(rows) > PAGE else None
    return req.render("webconsole/audit.html", title=req._("Audit log"), rows=rows[:PAGE], actions=ACTIONS,
                      action=action, since=since, until=until, more=rows[PAGE - 1].id if more else None,
                      tz=req.settings.timezone)


async def audit_csv(req: ConsoleRequest) -> web.StreamResponse:
    since, until = _period(req)
    start, end = _bounds(req, since, until)
    async with req.db.sessions() as session, session.begin():
        rows = await entries(session, since=start, until=end, limit=None)
        req.audit(session, "audit_export", f"{since.isoformat()}..{until.isoformat()}")
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["id", "at_utc", "actor_user_id", "actor_roles", "action", "target", "subject_user_id", "details"])
    for e in reversed(rows):
        writer.writerow([e.id, e.at.isoformat(), e.actor_id or "", e.actor_roles, e.action, e.target, e.subject_id or "",
                         "; ".join(f"{k}={v}" for k, v in sorted((e.details or {}).items()))])
    return web.Response(body=buf.getvalue().encode("utf-8-sig"), content_type="text/csv", charset="utf-8",
                        headers={"Content-Disposition": f'attachment; filename="audit-{since}-{until}.csv"'})


PAGES = (
    ConsolePage("/audit", audit_log, ADMIN, nav=N_("Audit log"), order=90),
    ConsolePage("/audit.csv", audit_csv, ADMIN),
)
