"""The bot's way into the staff web console: "Staff console" answers with a one-time sign-in link."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.feature import MenuEntry
from bot.core.router import Router
from bot.i18n import N_
from bot.webui import audit, auth

router = Router("webconsole")
MENU = (MenuEntry(N_("Staff console 🖥"), "webconsole", 58, roles=auth.CONSOLE_ROLES),)


@router.action("webconsole", screen=True)
async def console_link(ctx: Context) -> bool:
    if not ctx.roles & auth.CONSOLE_ROLES:
        return False
    _ = ctx._
    token = await auth.create_link(ctx.session, ctx.user.id)
    audit.record(ctx.session, None, "link_created", "bot", actor_id=ctx.user.id)
    url = auth.signin_url(ctx.settings, token)
    text = "\n".join([
        _("Your sign-in link to the staff console:"),
        url,
        _("It works once and for 10 minutes. Open it in a browser on your computer or phone; do not forward it."),
        _("To get a new link, press «Staff console» again."),
    ])
    rows = [[ctx.url_btn(_("Open the staff console"), url)]] if url.startswith("https://") else []
    ctx.say(text, [*rows, ctx.nav_row()])
    return True
