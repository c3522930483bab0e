"""Accepting a staff or social-worker invitation sent as a one-time deep link."""

from __future__ import annotations

from bot.dialogs.context import Context
from bot.dialogs.router import Router
from bot.i18n import N_
from storage import roles

router = Router()

ROLE_NAMES = {"admin": N_("administrator"), "staff": N_("CNAP staff member"), "social_worker": N_("social worker")}


@router.deeplink("inv")
async def invitation(ctx: Context, token: str) -> bool:
    inv = await roles.open_invite(ctx.session, token)
    if inv is None:
        return False
    _ = ctx._
    office = ctx.kb.offices.get(inv.scope) if ctx.kb and inv.scope else None
    text = _("You are invited to use the bot as {role}.").format(role=_(ROLE_NAMES[inv.role]))
    if office:
        text += "\n" + _("Office: {office}").format(office=office.name.get(ctx.lang))
    text += "\n" + _("Accept only if this invitation was meant for you. It works once.")
    ctx.state["invite"] = token
    ctx.say(text, [[ctx.btn(_("Accept ✅"), "inv_yes")], [ctx.btn(_("Decline"), "menu")]])
    return True


@router.action("inv_yes", stateful=True)
async def accept(ctx: Context) -> bool:
    token = ctx.state.pop("invite", None)
    inv = await roles.accept_invite(ctx.session, token, ctx.user.id) if token else None
    if inv is None:
        return False
    ctx.roles.add(inv.role)
    ctx.say(ctx._("Done: you are now {role}. The new menu items are in the main menu.").format(role=ctx._(ROLE_NAMES[inv.role])))
    await ctx.show("menu")
    return True
