"""Accepting a staff or social-worker invitation sent as a one-time deep link."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.feature import MenuEntry
from bot.core.router import Router
from bot.core.state import FlowState
from bot.core.ui import no_text_here, short
from bot.features.staff import store as roles
from bot.i18n import N_
from storage import people

router = Router("staff")
MENU = (MenuEntry(N_("Staff and roles 🔑"), "team", 55, roles=frozenset({"admin"})),)


class PendingInvite(FlowState):
    """An invitation opened from its link, until the person accepts or declines it."""

    owner = "staff"
    token: str

ROLE_NAMES = {"admin": N_("administrator"), "staff": N_("CNAP staff member"), "social_worker": N_("social worker")}
# Whole sentences per role: Ukrainian puts the role in another case after «як» than in a list.
INVITED_AS = {
    "admin": N_("You are invited to use the bot as an administrator."),
    "staff": N_("You are invited to use the bot as a CNAP staff member."),
    "social_worker": N_("You are invited to use the bot as a social worker."),
}
NOW_AS = {
    "admin": N_("Done: you are now an administrator. The new menu items are in the main menu."),
    "staff": N_("Done: you are now a CNAP staff member. The new menu items are in the main menu."),
    "social_worker": N_("Done: you are now a social worker. The new menu items are in the main menu."),
}


@router.deeplink("inv")
async def invitation(ctx: Context, token: str) -> bool:
    inv = await roles.open_invite(ctx.session, token)
    if inv is None:
        return False
    _ = ctx._
    office = ctx.kb.offices.get(inv.scope) if ctx.kb and inv.scope else None
    text = _(INVITED_AS[inv.role])
    if office:
        text += "\n" + _("Office: {office}").format(office=office.name.get(ctx.lang))
    text += "\n" + _("Accept only if this invitation was meant for you. It works once.")
    ctx.put(PendingInvite(token=token))
    ctx.say(text, [[ctx.btn(_("Accept ✅"), "inv_yes")], [ctx.btn(_("Decline"), "menu")]])
    return True


@router.action("inv_yes", stateful=True)
async def accept(ctx: Context) -> bool:
    pending = ctx.get(PendingInvite)
    ctx.drop(PendingInvite)
    inv = await roles.accept_invite(ctx.session, pending.token, ctx.user.id) if pending else None
    if inv is None:
        return False
    ctx.roles.add(inv.role)
    ctx.say(ctx._(NOW_AS[inv.role]))
    if not (await people.display_names(ctx.session, [ctx.user.id])):
        await ctx.show("staffname")
        return True
    await ctx.show("menu")
    return True


@router.action("staffname", screen=True)
async def ask_name(ctx: Context) -> bool:
    if not ctx.roles & set(ROLE_NAMES):
        return False
    _ = ctx._
    ctx.say(_("How should colleagues and clients see you? Write your name and service, for example: "
              "«Олена Петрівна, центр соціальних послуг»."),
            [[ctx.btn(_("Skip"), "menu")], ctx.nav_row(back=False)])
    ctx.expect("staff_name")
    return True


@router.text_input("staff_name")
async def got_name(ctx: Context, text: str) -> None:
    name = " ".join(text.split())
    if not ctx.roles & set(ROLE_NAMES):
        ctx.expect(None)
        await ctx.show("menu")
        return
    if not 2 <= len(name) <= 80:
        ctx.say(ctx._("Please write {min} to {max} characters.").format(min=2, max=80), [ctx.nav_row(back=False)])
        return
    ctx.expect(None)
    await people.set_display_name(ctx.session, ctx.user.id, name)
    ctx.say(ctx._("Thank you, {name}.").format(name=name))
    await ctx.show("menu")


# --- admins manage who has a role -----------------------------------------------------------


async def _admin_scopes(ctx: Context) -> set[str] | None:
    """Offices this admin manages ("" = every office), or None for non-admins."""
    if "admin" not in ctx.roles:
        return None
    return await roles.role_scopes(ctx.session, ctx.user.id, "admin")


def _manages(scopes: set[str], scope: str) -> bool:
    return "" in scopes or scope in scopes


@router.action("team", screen=True)
async def team(ctx: Context) -> bool:
    scopes = await _admin_scopes(ctx)
    if scopes is None:
        return False
    _ = ctx._
    members = [(r, u) for r, u in await roles.list_roles(ctx.session) if _manages(scopes, r.scope) and u.id != ctx.user.id]
    names = await people.display_names(ctx.session, [u.id for _r, u in members])
    lines = [_("Staff and social workers you manage:")]
    rows = []
    for role, user in members:
        office = ctx.kb.offices.get(role.scope) if ctx.kb and role.scope else None
        what = _(ROLE_NAMES[role.role]) + (f", {office.name.get(ctx.lang)}" if office else "")
        label = (names.get(user.id) or _("(no name given)")) + " — " + what
        lines.append("• " + label)
        rows.append([ctx.btn(short(_("Revoke: {who}").format(who=label)), "revoke", str(role.id))])
    if not members:
        lines.append(_("Nobody yet. Invitations are made with: python run_bot.py staff invite"))
    ctx.expect("staff_idle")
    ctx.say("\n".join(lines), [*rows, ctx.nav_row()])
    return True


@router.text_input("staff_idle")
async def typed_on_a_staff_screen(ctx: Context, text: str) -> None:
    """Text typed on a staff screen is never a search (it may hold a colleague's details)."""
    await no_text_here(ctx)


@router.action("revoke", stateful=True)
async def revoke(ctx: Context, role_id: str) -> bool:
    scopes = await _admin_scopes(ctx)
    if scopes is None or not role_id.isdigit():
        return False
    target = next((r for r, u in await roles.list_roles(ctx.session) if r.id == int(role_id)), None)
    if target is None or not _manages(scopes, target.scope) or target.user_id == ctx.user.id:
        return False
    await roles.revoke_role(ctx.session, target.id)
    ctx.say(ctx._("Done: the role was revoked."))
    await ctx.show("team")
    return True
