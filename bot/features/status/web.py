"""Application statuses in the staff console: upload a file with a preview, look an application up,
manage the HTTP API's tokens (admins).

An upload is first run as a dry run of the same importer that `run_bot.py status import` uses (its
transactions are rolled back): the page shows what would change and every rejected row with its
line, and nothing is written until the person confirms. The file waits in the database meanwhile.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from aiohttp import web
from sqlalchemy.exc import IntegrityError

from bot.core.feature import ConsolePage
from bot.features.status import store as apps
from bot.features.status.importer import Summary, import_file
from bot.features.status.statuses import LABELS
from bot.i18n import N_
from bot.tables import TableError
from bot.webui import ConsoleRequest
from bot.webui.auth import keep_upload, take_upload

STAFF = frozenset({"staff", "admin"})
ADMIN = frozenset({"admin"})
SUFFIXES = (".csv", ".xlsx")
SHOWN = 200  # rows listed in a preview


async def home(req: ConsoleRequest) -> web.StreamResponse:
    return req.render("status/home.html", title=req._("Application statuses"), labels=LABELS)


async def _run(req: ConsoleRequest, filename: str, data: bytes, *, dry_run: bool) -> Summary:
    offices = req.me.offices(STAFF)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"upload{Path(filename).suffix.lower()}"
        path.write_bytes(data)
        return await import_file(req.db, path, kb=req.kb, key=req.settings.secret_key_bytes(), source="console",
                                 dry_run=dry_run, offices=None if offices is None else set(offices), keep_rows=dry_run)


async def upload(req: ConsoleRequest) -> web.StreamResponse:
    form = await req.form()
    filename, data = form.files.get("file", ("", b""))
    if not data or Path(filename).suffix.lower() not in SUFFIXES:
        return req.render("status/home.html", status=400, title=req._("Application statuses"), labels=LABELS,
                          problem=req._("Choose a .csv or .xlsx file."))
    try:
        summary = await _run(req, filename, data, dry_run=True)
    except TableError as exc:
        return req.render("status/home.html", status=400, title=req._("Application statuses"), labels=LABELS,
                          problem=req._("The file cannot be read: {reason}").format(reason=str(exc)))
    async with req.db.sessions() as session, session.begin():
        upload_id = await keep_upload(session, req.session_hash, filename, data)
    changes = [r for r in summary.rows if r.result != "unchanged"]
    return req.render("status/preview.html", title=req._("Check before importing"), summary=summary,
                      changes=changes[:SHOWN], more=max(0, len(changes) - SHOWN), rejected=summary.rejected[:SHOWN],
                      more_rejected=max(0, len(summary.rejected) - SHOWN), upload_id=upload_id, filename=filename,
                      labels=LABELS)


async def confirm(req: ConsoleRequest) -> web.StreamResponse:
    form = await req.form()
    upload_id = int(form.get("upload")) if form.get("upload").isdigit() else 0
    cancel = form.get("cancel") == "1"
    async with req.db.sessions() as session, session.begin():
        pending = await take_upload(session, req.session_hash, upload_id, remove=True)
        filename, data = (pending.filename, pending.data) if pending else ("", b"")
    if pending is None:
        await req.done("/status", req._("That upload is no longer waiting; upload the file again."))
    if cancel:
        await req.done("/status", req._("Nothing was imported."))
    summary = await _run(req, filename, data, dry_run=False)
    async with req.db.sessions() as session, session.begin():
        req.audit(session, "status_upload", filename, details={
            "added": summary.added, "changed": summary.changed, "unchanged": summary.unchanged,
            "rejected": len(summary.rejected), "notified": summary.notified})
    await req.done("/status", req._("Imported: {added} added, {changed} changed, {unchanged} unchanged, {rejected} rejected; "
                                    "{notified} notification(s) queued.").format(
        added=summary.added, changed=summary.changed, unchanged=summary.unchanged, rejected=len(summary.rejected),
        notified=summary.notified))


async def lookup(req: ConsoleRequest) -> web.StreamResponse:
    number = req.query("number")[:64]
    app = events = None
    if number:
        async with req.db.sessions() as session:
            app = await apps.find(session, number)
            if app is not None and app.office_id and not req.me.covers(app.office_id, STAFF):
                app = None  # another office's application: as if it did not exist
            events = await apps.history(session, app.id) if app else None
    return req.render("status/lookup.html", title=req._("Look up an application"), number=number, app=app,
                      events=events or [], labels=LABELS, tz=req.settings.timezone,
                      office=req.kb.offices.get(app.office_id or "") if app else None,
                      service=req.kb.services.get(app.service_id or "") if app else None)


# --- API tokens (admins) -----------------------------------------------------------------------------


async def tokens(req: ConsoleRequest, created: tuple[str, str] | None = None, problem: str = "",
                 status: int = 200) -> web.StreamResponse:
    async with req.db.sessions() as session:
        rows = await apps.list_tokens(session)
    return req.render("status/tokens.html", title=req._("API tokens"), tokens=rows, created=created, problem=problem,
                      status=status, tz=req.settings.timezone)


async def tokens_page(req: ConsoleRequest) -> web.StreamResponse:
    return await tokens(req)


async def token_create(req: ConsoleRequest) -> web.StreamResponse:
    name = " ".join((await req.form()).get("name").split())[:64]
    if not name:
        return await tokens(req, problem=req._("Name the system the token is for, e.g. vulyk."), status=400)
    try:
        async with req.db.sessions() as session, session.begin():
            token = await apps.create_token(session, name)
            req.audit(session, "token_created", name)
    except IntegrityError:
        return await tokens(req, problem=req._("A token with this name exists already; revoke it or choose another name."),
                            status=400)
    return await tokens(req, created=(name, token))  # shown once, never stored in clear


async def token_revoke(req: ConsoleRequest) -> web.StreamResponse:
    name = (await req.form()).get("name")
    async with req.db.sessions() as session, session.begin():
        revoked = await apps.revoke_token(session, name)
        if revoked:
            req.audit(session, "token_revoked", name)
    await req.done("/status/tokens", req._("Token «{name}» revoked.").format(name=name) if revoked
                   else req._("No active token with this name."))


PAGES = (
    ConsolePage("/status", home, STAFF, nav=N_("Application statuses"), order=20),
    ConsolePage("/status/upload", upload, STAFF, method="POST"),
    ConsolePage("/status/import", confirm, STAFF, method="POST"),
    ConsolePage("/status/lookup", lookup, STAFF),
    ConsolePage("/status/tokens", tokens_page, ADMIN),
    ConsolePage("/status/tokens/create", token_create, ADMIN, method="POST"),
    ConsolePage("/status/tokens/revoke", token_revoke, ADMIN, method="POST"),
)
