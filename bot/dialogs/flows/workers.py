"""Social workers: clients and reminders (issue #6). Until they land, an honest answer."""

from __future__ import annotations

from bot.dialogs.context import Context
from bot.dialogs.router import Router

router = Router()


@router.action("clients", screen=True)
async def clients(ctx: Context) -> bool:
    if "social_worker" not in ctx.roles:
        return False
    ctx.say(ctx._("Client reminders are not available yet in this version of the bot."), [ctx.nav_row()])
    return True
