"""Feedback surveys for CNAP offices (issue #5). Until they land, an honest answer."""

from __future__ import annotations

from bot.dialogs.context import Context
from bot.dialogs.flows.common import cnap_contacts
from bot.dialogs.router import Router

router = Router()


@router.action("feedback", screen=True)
async def feedback(ctx: Context) -> None:
    _ = ctx._
    ctx.say(
        _("Thank you for wanting to help! Online feedback is not open yet; you can tell the CNAP's "
          "administrator or call:")
        + "\n\n"
        + cnap_contacts(ctx),
        [ctx.nav_row()],
    )


@router.action("fbresults", screen=True)
async def feedback_results(ctx: Context) -> bool:
    if not ctx.roles & {"staff", "admin"}:
        return False
    ctx.say(ctx._("Feedback results are not available yet in this version of the bot."), [ctx.nav_row()])
    return True
