"""Staff and roles in the console (admins): who has which role, revoking one (that person's pages stop
working on their next click; with no role left their sessions end at once), and invitation links."""

from __future__ import annotations

from aiohttp import web

from bot.core.feature import ConsolePage
from bot.features.staff import store as roles
from bot.features.staff.flows import ROLE_NAMES
from bot.i18n import N_
from bot.webui import ConsoleRequest
from bot.webui.auth import end_sessions_of, staff_of

ADMIN = frozenset({"admin"})


def _manages(req: ConsoleRequest, scope: str) -> bool:
    offices = req.me.offices(ADMIN)
    return offices is None or scope in offices


async def team(req: ConsoleRequest, invite: tuple[str, dict[str, str]] | None = None, problem: str = "",
               status: int = 200) -> web.StreamResponse:
    async with req.db.sessions() as session:
        members = [(r, u) for r, u in await roles.list_roles(session) if _manages(req, r.scope)]
    offices = req.offices(ADMIN)
    return req.render("staff/team.html", status=status, title=req._("Staff and roles"), members=members,
                      role_names=ROLE_NAMES, offices=offices, office_names={o.id: o.name.get(req.lang) for o in offices},
                      invite=invite, problem=problem, everyone=req.me.offices(ADMIN) is None)


async def team_page(req: ConsoleRequest) -> web.StreamResponse:
    return await team(req)


async def revoke(req: ConsoleRequest) -> web.StreamResponse:
    role_id = (await req.form()).get("role")
    async with req.db.sessions() as session, session.begin():
        target = next((r for r, _u in await roles.list_roles(session) if str(r.id) == role_id), None)
        if target is None or not _manages(req, target.scope) or target.user_id == req.me.user_id:
            req.refuse(404)
        await roles.revoke_role(session, target.id)
        req.audit(session, "role_revoked", f"{target.role}@{target.scope}" if target.scope else target.role,
                  subject_id=target.user_id)
        if await staff_of(session, target.user_id) is None:
            await end_sessions_of(session, target.user_id)
    await req.done("/team", req._("Done: the role was revoked."))


async def invite(req: ConsoleRequest) -> web.StreamResponse:
    form = await req.form()
    role, office = form.get("role"), form.get("office")
    if role not in roles.ROLES or (office and office not in req.kb.offices) or not _manages(req, office) \
            or (role == "staff" and not office):
        return await team(req, problem=req._("CNAP staff belong to an office: choose the office."), status=400)
    async with req.db.sessions() as session, session.begin():
        token = await roles.create_invite(session, role, office)
        req.audit(session, "invite_created", f"{role}@{office}" if office else role)
    links = req.services.deep_links.all(f"inv_{token}") if req.services.deep_links else {}
    return await team(req, invite=(req._(ROLE_NAMES[role]), links))


PAGES = (
    ConsolePage("/team", team_page, ADMIN, nav=N_("Staff and roles"), order=80),
    ConsolePage("/team/revoke", revoke, ADMIN, method="POST"),
    ConsolePage("/team/invite", invite, ADMIN, method="POST"),
)
