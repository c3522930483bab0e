"""Social workers in the staff console: my clients (short names only I see), each client's reminders and
what became of them, creating, changing and cancelling reminders (the wizard's rules: rules.py; the
same service code), and a client's invitation link with its QR code.

A worker sees only their own clients: another worker's client id gets "not found".
"""

from __future__ import annotations

import base64
import datetime as dt
import io

from aiohttp import web

from bot.core.feature import ConsolePage
from bot.features.reminders import rules, service
from bot.features.reminders.models import ClientLink, Occurrence, Reminder
from bot.features.reminders.timing import Policy
from bot.features.reminders.wizard import REPEATS, TEMPLATE_LABELS, TEMPLATES
from bot.features.reminders.worker_flows import LINK_STATES, STATE_NAMES
from bot.i18n import N_
from bot.webui import ConsoleRequest
from storage import people

WORKER = frozenset({"social_worker"})
NOT_CONFIRMED = N_("not confirmed")


def _policy(req: ConsoleRequest) -> Policy:
    return Policy.from_settings(req.settings)


async def _own_link(req: ConsoleRequest, session, link_id: str) -> ClientLink:
    link = await session.get(ClientLink, int(link_id)) if link_id.isdigit() else None
    if link is None or link.worker_id != req.me.user_id:
        req.refuse(404)
    return link


async def _own_reminder(req: ConsoleRequest, session, link: ClientLink, reminder_id: str) -> Reminder:
    reminder = await session.get(Reminder, int(reminder_id)) if reminder_id.isdigit() else None
    if reminder is None or reminder.link_id != link.id:
        req.refuse(404)
    return reminder


async def clients(req: ConsoleRequest) -> web.StreamResponse:
    async with req.db.sessions() as session:
        name = await service.worker_name(session, req.me.user_id)
        links = await service.worker_clients(session, req.me.user_id)
    return req.render("reminders/clients.html", title=req._("My clients and reminders"), name=name, links=links,
                      states=LINK_STATES)


async def set_name(req: ConsoleRequest) -> web.StreamResponse:
    name = " ".join((await req.form()).get("name").split())
    if not 2 <= len(name) <= 80:
        await req.done("/clients", req._("Please write {min} to {max} characters.").format(min=2, max=80))
    async with req.db.sessions() as session, session.begin():
        await people.set_display_name(session, req.me.user_id, name)
    await req.done("/clients", req._("Saved."))


async def add_client(req: ConsoleRequest) -> web.StreamResponse:
    alias = " ".join((await req.form()).get("alias").split())
    if not 1 <= len(alias) <= 40:
        await req.done("/clients", req._("Please write {min} to {max} characters.").format(min=1, max=40))
    async with req.db.sessions() as session:
        named = await service.worker_name(session, req.me.user_id)
    if not named:
        await req.done("/clients", req._("First write how your clients should see you."))
    async with req.db.sessions() as session, session.begin():
        link, token = await service.invite_client(session, req.me.user_id, alias, req.settings.secret_key_bytes())
        req.audit(session, "client_invited", f"client #{link.id}")
    return _invitation(req, link, token)


async def invite_again(req: ConsoleRequest) -> web.StreamResponse:
    async with req.db.sessions() as session, session.begin():
        link = await _own_link(req, session, req.match("link"))
        if link.state != "invited":
            req.refuse(404)
        # The same link as in the bot (it may already be in the client's hands); a new one only if the
        # server key changed and this one can no longer be shown.
        token = service.invitation_token(req.settings.secret_key_bytes(), link)
        if token is None or not service.opens(link, token):
            token = await service.new_invitation(session, link, req.settings.secret_key_bytes())
        req.audit(session, "client_invited", f"client #{link.id}")
    return _invitation(req, link, token)


def _qr_data_uri(url: str) -> str:
    import segno

    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="png", scale=8, border=4)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def _invitation(req: ConsoleRequest, link: ClientLink, token: str) -> web.StreamResponse:
    deep = req.services.deep_links
    payload = f"cl_{token}"
    urls = deep.urls(payload) if deep else {}
    shown = urls or (deep.all(payload) if deep else {})
    qr = next(iter(urls.values()), None)
    return req.render("reminders/invitation.html", title=req._("Invitation for {client}").format(client=link.alias),
                      link=link, shown=shown, qr=_qr_data_uri(qr) if qr else None, qr_url=qr)


def _state(occ: Occurrence, policy: Policy, now: dt.datetime) -> str:
    if occ.state == "sent" and occ.sent_at and occ.sent_at + policy.confirm_within <= now:
        return "not-confirmed"
    return occ.state


async def client(req: ConsoleRequest, draft_problems: list[str] | None = None, status: int = 200) -> web.StreamResponse:
    policy = _policy(req)
    now = req.services.clock.now()
    async with req.db.sessions() as session:
        link = await _own_link(req, session, req.match("link"))
        items = await service.upcoming(session, link.id, limit=30)
    active = {r.id: r for r, o in items if o.state == "scheduled" and r.active}
    names = {**STATE_NAMES, "not-confirmed": NOT_CONFIRMED}
    rows = [(r, o, _state(o, policy, now)) for r, o in items]
    today = now.astimezone(policy.tz).date()
    return req.render("reminders/client.html", status=status, title=link.alias, link=link, rows=rows, active=active,
                      names=names, states=LINK_STATES, tz=req.settings.timezone, repeats=REPEATS,
                      before_days=rules.BEFORE_DAYS, templates=list(zip(TEMPLATE_LABELS, TEMPLATES)),
                      today=today, quiet=f"{policy.quiet_start:%H:%M}–{policy.quiet_end:%H:%M}",
                      problems=draft_problems or [], form=await req.form() if req.request.method == "POST" else None)


async def client_page(req: ConsoleRequest) -> web.StreamResponse:
    return await client(req)


async def create(req: ConsoleRequest) -> web.StreamResponse:
    form = await req.form()
    policy = _policy(req)
    text, template = form.get("text"), form.get("template")
    if not text and template.isdigit() and int(template) < len(TEMPLATES):
        text = req._(TEMPLATES[int(template)])
    draft, problems = rules.check(text, form.get("date"), form.get("time"), form.get("repeat"), policy,
                                  req.services.clock.now(), urgent=form.get("urgent") == "1")
    if draft is None:
        return await client(req, problems, status=400)
    async with req.db.sessions() as session, session.begin():
        link = await _own_link(req, session, req.match("link"))
        if link.state != "active":
            req.refuse(409, req._("Reminders can be added once the client has agreed."))
        reminder, occ = await service.create_reminder(
            session, link, text=draft.text, start_date=draft.day, local_time=draft.local_time, repeat=draft.repeat,
            days_before=draft.days_before, urgent=draft.urgent, policy=policy, now=req.services.clock.now())
        req.audit(session, "reminder_created", f"reminder #{reminder.id} (client #{link.id})",
                  details={"repeat": draft.repeat, "urgent": draft.urgent})
    when = req.t.datetime(occ.due_at, "short", tz=req.settings.timezone) if occ else "—"
    notice = req._("✅ Saved. The first reminder will be sent {when}.").format(when=when)
    if rules.in_quiet(draft, policy) and not draft.urgent:
        notice += " " + req._("This is in quiet hours ({quiet}): it will arrive at {end} instead.").format(
            quiet=f"{policy.quiet_start:%H:%M}–{policy.quiet_end:%H:%M}", end=f"{policy.quiet_end:%H:%M}")
    await req.done(f"/clients/{link.id}", notice)


async def edit_page(req: ConsoleRequest, problems: list[str] | None = None, status: int = 200) -> web.StreamResponse:
    async with req.db.sessions() as session:
        link = await _own_link(req, session, req.match("link"))
        reminder = await _own_reminder(req, session, link, req.match("reminder"))
    if not reminder.active:
        req.refuse(404)
    return req.render("reminders/edit.html", status=status, title=req._("Change the reminder"), link=link, reminder=reminder,
                      problems=problems or [], today=req.services.clock.now().astimezone(_policy(req).tz).date())


async def edit(req: ConsoleRequest) -> web.StreamResponse:
    form = await req.form()
    policy = _policy(req)
    async with req.db.sessions() as session:
        link = await _own_link(req, session, req.match("link"))
        reminder = await _own_reminder(req, session, link, req.match("reminder"))
    # As in the bot, a change moves the day and time (and here the text too); the repetition stays.
    draft, problems = rules.check(form.get("text"), form.get("date"), form.get("time"), "none", policy,
                                  req.services.clock.now(), urgent=reminder.urgent)
    if draft is None or not reminder.active:
        return await edit_page(req, problems, status=400)
    async with req.db.sessions() as session, session.begin():
        link = await _own_link(req, session, req.match("link"))
        reminder = await _own_reminder(req, session, link, req.match("reminder"))
        reminder.text = draft.text
        occ = await service.reschedule(session, reminder, start_date=draft.day, local_time=draft.local_time, policy=policy,
                                       now=req.services.clock.now())
        req.audit(session, "reminder_changed", f"reminder #{reminder.id} (client #{link.id})")
    when = req.t.datetime(occ.due_at, "short", tz=req.settings.timezone) if occ else "—"
    await req.done(f"/clients/{link.id}", req._("✅ Changed. The next reminder will be sent {when}.").format(when=when))


async def cancel(req: ConsoleRequest) -> web.StreamResponse:
    async with req.db.sessions() as session, session.begin():
        link = await _own_link(req, session, req.match("link"))
        reminder = await _own_reminder(req, session, link, req.match("reminder"))
        await service.cancel_reminder(session, reminder)
        req.audit(session, "reminder_cancelled", f"reminder #{reminder.id} (client #{link.id})")
    await req.done(f"/clients/{link.id}", req._("✖ Cancelled: «{text}».").format(text=reminder.text))


PAGES = (
    ConsolePage("/clients", clients, WORKER, nav=N_("My clients"), order=30),
    ConsolePage("/clients/name", set_name, WORKER, method="POST"),
    ConsolePage("/clients/add", add_client, WORKER, method="POST"),
    ConsolePage("/clients/{link:\\d+}", client_page, WORKER),
    ConsolePage("/clients/{link:\\d+}/invite", invite_again, WORKER, method="POST"),
    ConsolePage("/clients/{link:\\d+}/reminders", create, WORKER, method="POST"),
    ConsolePage("/clients/{link:\\d+}/reminders/{reminder:\\d+}", edit_page, WORKER),
    ConsolePage("/clients/{link:\\d+}/reminders/{reminder:\\d+}", edit, WORKER, method="POST"),
    ConsolePage("/clients/{link:\\d+}/reminders/{reminder:\\d+}/cancel", cancel, WORKER, method="POST"),
)
