"""Application status: look up by number and secret, follow, get told when it changes."""

from __future__ import annotations

import datetime as dt
import math
from zoneinfo import ZoneInfo

from bot.core.context import Context
from bot.core.feature import MenuEntry
from bot.core.router import Router
from bot.core.state import FlowState
from bot.core.ui import cnap_contacts, office_block, short
from bot.features.status import limits, statuses
from bot.features.status import store as apps
from bot.features.status.models import Application
from bot.i18n import N_

router = Router("status")
MENU = (MenuEntry(N_("Application status 📨"), "status", 30),)


class Lookup(FlowState):
    """The application number typed (or from a receipt's QR code), while its secret is awaited."""

    owner = "status"
    number: str
    button: bool = False  # opened by a button (stfind): the card replaces that screen in the Back history


def _secret_prompt(ctx: Context) -> str:
    _ = ctx._
    if ctx.settings.status_secret == "pin":
        return _("Now enter the PIN code printed on your receipt.")
    return _("Now enter the last 4 digits of the phone number you gave at the CNAP.")


def _ask_secret(ctx: Context, number: str, notice: str = "", button: bool = False) -> None:
    ctx.put(Lookup(number=number, button=button))
    text = ctx._("Application No. {number}.").format(number=number) + "\n" + _secret_prompt(ctx)
    ctx.say(f"{notice}\n\n{text}" if notice else text,
            [[ctx.btn(ctx._("Another application number"), "status_new")], ctx.nav_row()])
    ctx.expect("status_secret")


async def _ask_number(ctx: Context, intro: str | None = None) -> None:
    _ = ctx._
    text = _("Enter the application number from your receipt (for example: ЦН-2026-00123).")
    ctx.say(f"{intro}\n\n{text}" if intro else text, [ctx.nav_row()])
    ctx.expect("status_number")


@router.action("status", screen=True)
async def status_home(ctx: Context) -> None:
    followed = await apps.followed(ctx.session, ctx.user.id)
    if followed:
        await my_applications(ctx)
    else:
        await _ask_number(ctx)


@router.action("status_new", screen=True)
async def status_new(ctx: Context) -> None:
    ctx.drop(Lookup)
    await _ask_number(ctx)


def _usable_number(text: str) -> bool:
    return bool(apps.normalize_number(text)) and len(text.strip()) <= 64


@router.text_input("status_number")
async def got_number(ctx: Context, text: str) -> bool:
    if not any(ch.isdigit() for ch in text):
        return False  # no number has no digit: a question typed instead («а куди йти?») goes to the search
    if not _usable_number(text):
        await _ask_number(ctx, ctx._("This does not look like an application number."))
        return True
    _ask_secret(ctx, text.strip())
    return True


@router.deeplink("app")
async def app_link(ctx: Context, encoded: str) -> bool:
    """`/start app_<base64url number>`: the QR code on a receipt opens the lookup (the secret is still asked)."""
    if apps.number_from_payload(encoded) is None:
        return False
    shown = len(ctx.replies)
    await ctx.show("menu")
    del ctx.replies[shown:]  # the menu is only the Back target
    return await ctx.show("stfind", encoded)


@router.action("stfind", screen=True)
async def lookup_number(ctx: Context, encoded: str) -> bool:
    """The lookup with the number already filled in (base64url of it, as in receipts' QR codes): from a
    receipt's deep link, or from an application number typed anywhere (the search offers this button).
    A screen, so "Back" returns to where the button was pressed."""
    number = apps.number_from_payload(encoded)
    if number is None:
        return False
    _ask_secret(ctx, number, button=True)
    return True


def _not_found(ctx: Context, number: str) -> str:
    """The same words for an unknown number and a wrong secret, naming what the person typed."""
    _ = ctx._
    if ctx.settings.status_secret == "pin":
        return _("I could not find application No. {number} with this PIN code. Please check both on your "
                 "receipt.").format(number=number)
    return _("I could not find application No. {number} with these last 4 digits of the phone. Please check "
             "the number on your receipt and the phone number you gave at the CNAP.").format(number=number)


def _minutes(ctx: Context, span: dt.timedelta) -> str:
    minutes = max(1, math.ceil(span.total_seconds() / 60))
    return ctx.ngettext("{n} minute", "{n} minutes", minutes).format(n=minutes)


def _paused(ctx: Context, verdict: limits.Verdict) -> str:
    wait = _minutes(ctx, verdict.wait)
    if verdict.why == "number":
        text = ctx._("Wrong codes for this application were entered many times, so checking it is paused. "
                     "Please try again in {wait}, or ask at the CNAP.")
    else:
        text = ctx._("Too many unsuccessful attempts. Please try again in {wait}, or ask at the CNAP.")
    return text.format(wait=wait) + "\n\n" + cnap_contacts(ctx)


@router.text_input("status_secret")
async def got_secret(ctx: Context, text: str) -> None:
    _ = ctx._
    lookup = ctx.get(Lookup)
    if lookup is None:
        ctx.expect(None)
        await _ask_number(ctx)
        return
    number = lookup.number
    if ctx.settings.status_secret == "pin":
        secret: str | None = text.strip() or None
    else:
        secret = apps.phone_digits(text)
        if secret is None and any(ch.isalpha() for ch in text) and _usable_number(text):
            _ask_secret(ctx, text.strip())  # an application number typed again: the new one is meant
            return
    if secret is None:
        _ask_secret(ctx, number, _("Please type only the last 4 digits of the phone number, for example 2233."),
                    lookup.button)
        return
    secret_key = ctx.settings.secret_key_bytes()
    keys = limits.keys_for(secret_key, ctx.user.channel, ctx.user.external_id, apps.normalize_number(number))
    verdict = await limits.before_attempt(ctx.session, keys, ctx.now())
    if not verdict.allowed:  # still waiting for the code: it can be typed again once the pause is over
        ctx.say(_paused(ctx, verdict), [[ctx.btn(_("Another application number"), "status_new")], ctx.nav_row()])
        return
    app = await apps.find(ctx.session, number)
    if app is None or not apps.verify_secret(secret, app.secret_hash, secret_key):
        ctx.count("status_lookup", "not_found")
        verdict = await limits.failed(ctx.session, keys, ctx.now())
        if not verdict.allowed:
            ctx.say(_not_found(ctx, number) + "\n\n" + _paused(ctx, verdict),
                    [[ctx.btn(_("Another application number"), "status_new")], ctx.nav_row()])
            return
        notice = _not_found(ctx, number)
        if verdict.left == 1:
            notice += "\n" + _("You have one more attempt; after it, checking is paused for {wait}.").format(
                wait=_minutes(ctx, verdict.next_pause))
        _ask_secret(ctx, number, notice, lookup.button)
        return
    await limits.succeeded(ctx.session, keys)
    ctx.drop(Lookup)
    ctx.expect(None)
    await apps.follow(ctx.session, ctx.user.id, app.id, notify=False)
    ctx.count("status_lookup", "found")
    await ctx.show("app", str(app.id), replace=lookup.button)


def _local_date(ctx: Context, moment: dt.datetime) -> str:
    return ctx.t.date(moment.astimezone(ZoneInfo(ctx.settings.timezone)).date())


async def application_card(ctx: Context, app: Application) -> str:
    _ = ctx._
    lines = [_("Application No. {number}").format(number=app.number)]
    svc = ctx.kb.services.get(app.service_id or "") if ctx.kb else None
    if svc:
        lines.append(_("Service: {title}").format(title=svc.title.get(ctx.lang)))
    lines.append(_("Status: {status}").format(status=_(statuses.LABELS[app.status])))
    lines.append(_(statuses.EXPLAIN[app.status]))
    if app.note:
        lines.append(app.note)
    if app.status == "refused":
        lines.append(_(statuses.APPEAL))
    if app.expected_date and app.status in ("received", "in_progress", "needs_documents"):
        lines.append(_("Expected to be ready by: {date}").format(date=ctx.t.date(app.expected_date)))
    office = ctx.kb.offices.get(app.office_id or "") or ctx.kb.main_office
    parts = ["\n".join(lines), office_block(ctx.t, office)]
    events = await apps.history(ctx.session, app.id)
    if events:
        hist = [_("History:")]
        hist += [f"• {_local_date(ctx, e.changed_at)} — {_(statuses.LABELS[e.status])}" for e in events[-10:]]
        parts.append("\n".join(hist))
    return "\n\n".join(parts)


async def _own(ctx: Context, app_id: str):
    """The application, if this person has proven it is theirs (else None)."""
    if not app_id.isdigit():
        return None, None
    sub = await apps.subscription(ctx.session, ctx.user.id, int(app_id))
    if sub is None:
        return None, None
    return sub, await ctx.session.get(Application, int(app_id))


async def _render_app(ctx: Context, sub, app: Application, notice: str = "", edit: bool = False) -> None:
    _ = ctx._
    app_id = str(app.id)
    toggle = (
        ctx.btn(_("Stop notifications 🔕"), "notify", app_id, "0")
        if sub.notify
        else ctx.btn(_("Notify me when it changes 🔔"), "notify", app_id, "1")
    )
    card = await application_card(ctx, app)
    ctx.say(
        f"{notice}\n\n{card}" if notice else card,
        [[toggle], [ctx.btn(_("Check another application"), "status_new")],
         [ctx.btn(_("Remove from my applications"), "unfollow", app_id)], ctx.nav_row()],
        edit=edit,
    )


@router.action("app", screen=True)
async def app_screen(ctx: Context, app_id: str) -> bool:
    sub, app = await _own(ctx, app_id)
    if app is None:
        return False
    await _render_app(ctx, sub, app)
    return True


@router.action("notify")
async def set_notify(ctx: Context, app_id: str, on: str) -> bool:
    """The bell on the status card: "1" to be told of changes, "0" to stop."""
    sub, app = await _own(ctx, app_id)
    if app is None or on not in ("0", "1"):
        return False
    sub.notify = on == "1"
    notice = (
        ctx._("✔ I will write to you here when the status of application No. {number} changes.")
        if sub.notify
        else ctx._("✔ Notifications for application No. {number} are off.")
    )
    await _render_app(ctx, sub, app, notice.format(number=app.number), edit=True)
    return True


@router.action("unfollow", stateful=True)
async def unfollow(ctx: Context, app_id: str) -> bool:
    sub, app = await _own(ctx, app_id)
    if app is None:
        return False
    await apps.unfollow(ctx.session, ctx.user.id, app.id)
    ctx.say(ctx._("Application No. {number} is removed from your list.").format(number=app.number))
    await ctx.show("menu")
    return True


@router.action("myapps", screen=True)
async def my_applications(ctx: Context) -> None:
    _ = ctx._
    followed = await apps.followed(ctx.session, ctx.user.id)
    if not followed:
        await _ask_number(ctx, _("You do not follow any applications yet."))
        return
    lines = [_("Your applications:")]
    rows = []
    for sub, app in followed:
        bell = " 🔔" if sub.notify else ""
        label = _("No. {number} — {status}").format(number=app.number, status=_(statuses.LABELS[app.status]))
        lines.append(f"• {label}{bell}")
        rows.append([ctx.btn(short(label), "app", str(app.id))])
    rows.append([ctx.btn(_("Check another application"), "status_new")])
    ctx.say("\n".join(lines), [*rows, ctx.nav_row()])


@router.command("status")
async def cmd_status(ctx: Context) -> None:
    await ctx.show("status")
