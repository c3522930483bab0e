"""The client's side of reminders: consent, "Got it", "Remind me in an hour", stopping."""

from __future__ import annotations

import math

from bot.core.context import Context
from bot.core.router import Router
from bot.core.state import FlowState
from bot.features.reminders import service
from bot.features.reminders.models import ClientLink
from bot.features.reminders.timing import Policy

router = Router("reminders")


class ClientInvite(FlowState):
    """A social worker's invitation opened from its link, until the person agrees or declines."""

    owner = "reminders"
    token: str


@router.deeplink("cl")
async def invitation(ctx: Context, token: str) -> bool:
    link = await service.open_client_invite(ctx.session, token)
    if link is None:
        return await _old_invitation(ctx, token)
    if link.worker_id == ctx.user.id:
        return False
    _ = ctx._
    who = await service.worker_name(ctx.session, link.worker_id) or _("your social worker")
    hours = ctx.settings.reminder_confirm_hours
    hours = int(hours) if float(hours).is_integer() else hours  # 24, or 1.5
    ctx.put(ClientInvite(token=token))
    ctx.say(
        "\n\n".join([
            _("{worker} (social worker) invites you to receive reminders in this chat: appointments, documents "
              "to bring, deadlines, home visits.").format(worker=who),
            _("Reminders are short and do not contain details of your case."),
            _("What the social worker will see: whether each reminder was delivered, whether you pressed «Got it», "
              "that you have not confirmed a reminder {within}, and that you stop the reminders, block the "
              "bot or delete your data. Nothing else: not your messages, not what else you do in the bot.").format(
                within=ctx.ngettext("within {n} hour", "within {n} hours", math.ceil(hours)).format(n=hours)),
            _("You can stop them at any time: with the button under a reminder or the /stop command."),
            _("Do you agree to receive these reminders?"),
        ]),
        [[ctx.btn(_("Yes, I agree ✅"), "cl_yes")], [ctx.btn(_("No, thank you"), "menu")]],
    )
    return True


async def _old_invitation(ctx: Context, token: str) -> bool:
    """A link that was replaced or used: say so, and whom to ask, instead of "out of date"."""
    old = await service.old_invite(ctx.session, token)
    if old is None:
        return False
    retired, link = old
    _ = ctx._
    who = await service.worker_name(ctx.session, link.worker_id) or _("your social worker")
    if retired.why == "replaced":
        text = _("This invitation link was replaced by a newer one. Please ask {worker} to send you the new link.")
    elif link.client_id == ctx.user.id and link.state == "active":
        text = _("You have already agreed: reminders from {worker} come to this chat.")
    else:
        text = _("This invitation has already been used. If it was meant for you, please ask {worker} for a new link.")
    ctx.say(text.format(worker=who), [ctx.nav_row(back=False)])
    return True


@router.action("cl_yes", stateful=True)
async def agree(ctx: Context) -> bool:
    invite = ctx.get(ClientInvite)
    ctx.drop(ClientInvite)
    link = await service.open_client_invite(ctx.session, invite.token) if invite else None
    if link is None:
        return False
    await service.consent(ctx.session, link, ctx.user.id, now=ctx.now())
    ctx.say(ctx._("Thank you! Reminders from your social worker will come here. To stop them, send /stop."))
    await ctx.show("menu")
    return True


async def _mine(ctx: Context, occ_id: str):
    if not occ_id.isdigit():
        return None, None, None
    return await service.client_occurrence(ctx.session, int(occ_id), ctx.user.id)


@router.action("rok")
async def got_it(ctx: Context, occ_id: str) -> bool:
    occ, reminder, _link = await _mine(ctx, occ_id)
    if occ is None:
        return False
    await service.confirm(ctx.session, occ, now=ctx.now())
    ctx.say(ctx._("✅ Noted. Your social worker will see that you got this reminder:") + "\n" + reminder.text,
            [ctx.nav_row(back=False)], edit=True)
    return True


@router.action("rsnooze")
async def later(ctx: Context, occ_id: str) -> bool:
    occ, reminder, link = await _mine(ctx, occ_id)
    if occ is None or link.state != "active":
        return False
    new = await service.snooze(ctx.session, occ, reminder, link, Policy.from_settings(ctx.settings), now=ctx.now())
    if new is None:
        return False
    moment = ctx.t.when(new.due_at, ctx.settings.timezone, ctx.now(), relative=False)
    ctx.say(ctx._("⏰ I will remind you again {when}.").format(when=moment), [ctx.nav_row(back=False)], edit=True)
    return True


@router.action("rstop", screen=True)
async def stop_confirm(ctx: Context, link_id: str) -> bool:
    link = await ctx.session.get(ClientLink, int(link_id)) if link_id.isdigit() else None
    if link is None or link.client_id != ctx.user.id or link.state != "active":
        return False
    who = await service.worker_name(ctx.session, link.worker_id) or ctx._("your social worker")
    ctx.say(ctx._("Stop all reminders from {worker}? They will be told that you stopped them.").format(worker=who),
            [[ctx.btn(ctx._("Yes, stop them"), "rstop_yes", str(link.id))], [ctx.btn(ctx._("No, keep them"), "menu")]])
    return True


@router.action("rstop_yes", stateful=True)
async def stop_yes(ctx: Context, link_id: str) -> bool:
    link = await ctx.session.get(ClientLink, int(link_id)) if link_id.isdigit() else None
    if link is None or link.client_id != ctx.user.id or link.state != "active":
        return False
    await service.stop(ctx.session, link, "stopped by the client", now=ctx.now())
    ctx.say(ctx._("Done: you will not get these reminders any more."))
    await ctx.show("menu")
    return True


@router.command("stop")
async def cmd_stop(ctx: Context) -> None:
    links = await service.client_links(ctx.session, ctx.user.id)
    if not links:
        ctx.say(ctx._("You do not receive reminders from any social worker."), [ctx.nav_row(back=False)])
        return
    if len(links) == 1:
        await ctx.show("rstop", str(links[0].id))
        return
    rows = []
    for link in links:
        who = await service.worker_name(ctx.session, link.worker_id) or ctx._("your social worker")
        rows.append([ctx.btn(who, "rstop", str(link.id))])
    ctx.say(ctx._("Whose reminders do you want to stop?"), [*rows, ctx.nav_row(back=False)])
