"""Social workers: their clients, each client's invitation link, and the reminders scheduled for them.

The reminder wizard itself is in wizard.py. Nothing typed on these screens is ever handed to the
search (it may hold a client's details): each screen awaits its own input or says to use the buttons.
"""

from __future__ import annotations

import io

from bot.core.context import Context
from bot.core.events import Attachment
from bot.core.feature import MenuEntry
from bot.core.router import Router
from bot.core.ui import no_text_here, short
from bot.features.reminders import service
from bot.features.reminders.access import is_worker, own_link, quoted, when
from bot.features.reminders.models import ClientLink, Reminder
from bot.i18n import N_
from storage import people

router = Router("reminders")
MENU = (MenuEntry(N_("My clients and reminders 👥"), "clients", 60, roles=frozenset({"social_worker"})),)

STATE_ICONS = {"scheduled": "🕒", "sent": "📨", "confirmed": "✅", "failed": "⚠️", "cancelled": "✖"}
STATE_NAMES = {"scheduled": N_("scheduled"), "sent": N_("sent"), "confirmed": N_("confirmed"),
               "failed": N_("failed"), "cancelled": N_("cancelled")}
LINK_STATES = {"invited": N_("invited, has not agreed yet"), "active": N_("agreed"), "stopped": N_("stopped reminders")}


# --- the worker's client list ----------------------------------------------------------------


@router.action("clients", screen=True)
async def clients(ctx: Context) -> bool:
    if not is_worker(ctx):
        return False
    _ = ctx._
    name = await service.worker_name(ctx.session, ctx.user.id)
    if not name:
        ctx.say(_("How should your clients see you? Write your name and service, for example: "
                  "«Олена Петрівна, центр соціальних послуг»."), [ctx.nav_row()])
        ctx.expect("worker_name")
        return True
    links = await service.worker_clients(ctx.session, ctx.user.id)
    lines = [_("Your clients ({name}):").format(name=name)]
    if not links:
        lines.append(_("No clients yet. Add one: the client gets a personal link and agrees to receive reminders."))
    rows = [[ctx.btn(short(f"{link.alias} — {_(LINK_STATES[link.state])}"), "wclient", str(link.id))] for link in links]
    rows.append([ctx.btn(_("Add a client ➕"), "wadd")])
    rows.append([ctx.btn(_("Change my name"), "wname")])
    ctx.say("\n".join(lines), [*rows, ctx.nav_row()])
    ctx.expect("rem_idle")
    return True


@router.text_input("rem_idle")
async def typed_on_a_worker_screen(ctx: Context, text: str) -> None:
    await no_text_here(ctx)


@router.action("wname", screen=True)
async def change_name(ctx: Context) -> bool:
    if not is_worker(ctx):
        return False
    ctx.say(ctx._("Write your name and service as clients should see it."), [ctx.nav_row()])
    ctx.expect("worker_name")
    return True


async def typed(ctx: Context, text: str, shortest: int, longest: int, allowed: bool = True) -> str | None:
    """Awaited free text, tidied and checked: None (after saying why) if it cannot be used."""
    value = " ".join(text.split())
    if not allowed:  # the role was revoked, or the wizard is gone: nothing to type into
        ctx.expect(None)
        await ctx.show("menu")
        return None
    if not shortest <= len(value) <= longest:
        ctx.say(ctx._("Please write {min} to {max} characters.").format(min=shortest, max=longest), [ctx.nav_row()])
        return None
    return value


@router.text_input("worker_name")
async def got_worker_name(ctx: Context, text: str) -> None:
    name = await typed(ctx, text, 2, 80, is_worker(ctx))
    if name is None:
        return
    ctx.expect(None)
    await people.set_display_name(ctx.session, ctx.user.id, name)
    await ctx.show("clients", replace=True)


@router.action("wadd", screen=True)
async def add_client(ctx: Context) -> bool:
    if not is_worker(ctx):
        return False
    ctx.say(ctx._("Write a short name for the client that only you will see (for example «Ганна К.»). "
                  "Do not write any details of the case."), [ctx.nav_row()])
    ctx.expect("client_alias")
    return True


@router.text_input("client_alias")
async def got_alias(ctx: Context, text: str) -> None:
    alias = await typed(ctx, text, 1, 40, is_worker(ctx))
    if alias is None:
        return
    ctx.expect(None)
    link, _token = await service.invite_client(ctx.session, ctx.user.id, alias, ctx.settings.secret_key_bytes())
    await ctx.show("winv", str(link.id), replace=True)


# --- the invitation: the same link every time it is shown; a new one only on purpose -----------------


@router.action("winv", screen=True)
async def invitation(ctx: Context, link_id: str) -> bool:
    link = await own_link(ctx, link_id)
    token = service.invitation_token(ctx.settings.secret_key_bytes(), link) if link else None
    if link is None or token is None:
        return False
    _ = ctx._
    if not service.opens(link, token):  # the server's key changed since: this link cannot be shown again
        ctx.say(_("This invitation cannot be shown again (the server's key has changed). Make a new link for "
                  "the client."), [[ctx.btn(_("New link"), "wnewlink", str(link.id))], ctx.nav_row()])
        return True
    deep = ctx.services.deep_links
    payload = f"cl_{token}"
    shown = deep.all(payload) if deep else {}  # messengers' links, and the console command that opens it
    urls = deep.urls(payload) if deep else {}
    lines = [
        _("Personal invitation for the client «{client}». Send the link to the client only, or let them scan "
          "the QR code:").format(client=link.alias),
        *(f"• {channel}: {url}" for channel, url in shown.items()),
        _("Reminders start only after the client agrees. The link works once."),
    ]
    qr_target = next(iter(urls.values()), None) or next(iter(shown.values()), None)
    attachments = [Attachment("image", f"invitation-{link.id}.png", _qr_png(qr_target), link.alias)] if qr_target else []
    ctx.say("\n".join(lines), [[ctx.btn(_("Open the client"), "wclient", str(link.id))],
                               [ctx.btn(_("New link"), "wnewlink", str(link.id))], ctx.nav_row()],
            attachments=attachments)
    ctx.expect("rem_idle")
    return True


def _qr_png(text: str) -> bytes:
    import segno

    buf = io.BytesIO()
    segno.make(text, error="m").save(buf, kind="png", scale=8, border=4)
    return buf.getvalue()


@router.action("wnewlink", screen=True)
async def new_link_confirm(ctx: Context, link_id: str) -> bool:
    link = await own_link(ctx, link_id)
    if link is None or link.state != "invited":
        return False
    _ = ctx._
    ctx.say(_("Make a new link for the client «{client}»? The old link will stop working: whoever opens it "
              "will be told to ask you for the new one.").format(client=link.alias),
            [[ctx.btn(_("Yes, a new link"), "wnewlink_yes", str(link.id))], ctx.nav_row()])
    return True


@router.action("wnewlink_yes", stateful=True)
async def new_link(ctx: Context, link_id: str) -> bool:
    """A new link on purpose: for a lost link, or to invite again a client who stopped the reminders."""
    link = await own_link(ctx, link_id)
    if link is None or link.state == "active":
        return False
    await service.new_invitation(ctx.session, link, ctx.settings.secret_key_bytes())
    ctx.forget_screens("wnewlink")
    await ctx.show("winv", str(link.id), replace=True)
    return True


# --- one client ---------------------------------------------------------------------------------


@router.action("wclient", screen=True)
async def client_screen(ctx: Context, link_id: str) -> bool:
    link = await own_link(ctx, link_id)
    if link is None:
        return False
    _ = ctx._
    lines = [f"👤 {link.alias} — {_(LINK_STATES[link.state])}"]
    rows = []
    items = await service.upcoming(ctx.session, link.id)
    if items:
        lines.append(_("Reminders (newest first):"))
        for reminder, occ in items:
            reason = f" ({occ.reason})" if occ.state == "failed" and occ.reason else ""
            lines.append(f"{STATE_ICONS[occ.state]} {when(ctx, occ.due_at)} — {short(reminder.text, 50)} — "
                         f"{_(STATE_NAMES[occ.state])}{reason}")
        for reminder in {r.id: r for r, o in items if o.state == "scheduled" and r.active}.values():
            rows.append([ctx.btn(short(_("Change: {text}").format(text=reminder.text), 40), "redit", str(reminder.id)),
                         ctx.btn(_("Cancel ✖"), "rcancel", str(reminder.id))])
    if link.state == "active":
        rows.insert(0, [ctx.btn(_("New reminder ➕"), "rnew", str(link.id))])
    elif link.state == "invited":
        rows.insert(0, [ctx.btn(_("Show the invitation again"), "winv", str(link.id))])
    else:  # stopped: a new invitation, and the client agrees again
        lines.append(_("The client stopped the reminders. To start again, send them a new invitation: "
                       "they will be asked to agree again."))
        rows.insert(0, [ctx.btn(_("Invite again"), "wnewlink_yes", str(link.id))])
    ctx.say("\n".join(lines), [*rows, ctx.nav_row()])
    ctx.expect("rem_idle")
    return True


async def own_reminder(ctx: Context, reminder_id: str | int) -> tuple[Reminder | None, ClientLink | None]:
    if not str(reminder_id).isdigit():
        return None, None
    reminder = await ctx.session.get(Reminder, int(reminder_id))
    link = await own_link(ctx, reminder.link_id) if reminder else None
    return (reminder, link) if link else (None, None)


@router.action("rcancel", stateful=True)
async def cancel(ctx: Context, reminder_id: str) -> bool:
    reminder, link = await own_reminder(ctx, reminder_id)
    if reminder is None or link is None:
        return False
    await service.cancel_reminder(ctx.session, reminder)
    ctx.say(ctx._("✖ The reminder «{text}» is cancelled.").format(text=quoted(reminder.text)))
    await ctx.show("wclient", str(link.id))
    return True
