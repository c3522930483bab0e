"""Social workers: link clients (with their consent) and schedule reminders for them."""

from __future__ import annotations

import datetime as dt

from bot.core.context import Context
from bot.core.events import Attachment
from bot.core.feature import MenuEntry
from bot.core.router import Router
from bot.core.state import FlowState
from bot.core.ui import short
from bot.features.reminders import service
from bot.features.reminders.models import ClientLink, Reminder
from bot.features.reminders.timing import Policy, in_quiet_hours, parse_hhmm, to_utc
from bot.i18n import N_
from storage import people
from storage.hashing import token_hash

router = Router("reminders")
MENU = (MenuEntry(N_("My clients and reminders 👥"), "clients", 60, roles=frozenset({"social_worker"})),)


class Wizard(FlowState):
    """A reminder being composed (or an existing one being moved): what was entered so far."""

    owner = "reminders"
    link: int
    edit: int | None = None  # the reminder being rescheduled
    text: str | None = None
    date: str | None = None  # ISO date
    time: str | None = None  # HH:MM
    repeat: str | None = None
    days_before: int = 0
    urgent: bool = False

TEMPLATES = [
    N_("Reminder: you have an appointment. Please come on time."),
    N_("Please remember to bring your documents."),
    N_("A deadline is coming up. Please take care of your documents."),
    N_("Reminder: the social worker will visit you at home."),
]
TEMPLATE_LABELS = [N_("Appointment"), N_("Bring documents"), N_("Deadline"), N_("Home visit")]
STATE_ICONS = {"scheduled": "🕒", "sent": "📨", "confirmed": "✅", "failed": "⚠️", "cancelled": "✖"}
STATE_NAMES = {"scheduled": N_("scheduled"), "sent": N_("sent"), "confirmed": N_("confirmed"),
               "failed": N_("failed"), "cancelled": N_("cancelled")}
LINK_STATES = {"invited": N_("invited, has not agreed yet"), "active": N_("agreed"), "stopped": N_("stopped reminders")}
REPEATS = {"none": N_("once"), "daily": N_("every day"), "weekly": N_("every week"), "monthly": N_("every month")}
MAX_TEXT = 300


def _policy(ctx: Context) -> Policy:
    return Policy.from_settings(ctx.settings)


def _is_worker(ctx: Context) -> bool:
    return "social_worker" in ctx.roles


async def _own_link(ctx: Context, link_id: str) -> ClientLink | None:
    if not _is_worker(ctx) or not link_id.isdigit():
        return None
    link = await ctx.session.get(ClientLink, int(link_id))
    return link if link is not None and link.worker_id == ctx.user.id else None


def _local(ctx: Context, moment: dt.datetime) -> str:
    return ctx.t.datetime(moment, "short", tz=ctx.settings.timezone)


# --- the worker's client list ----------------------------------------------------------------


@router.action("clients", screen=True)
async def clients(ctx: Context) -> bool:
    if not _is_worker(ctx):
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
    return True


@router.action("wname", screen=True)
async def change_name(ctx: Context) -> bool:
    if not _is_worker(ctx):
        return False
    ctx.say(ctx._("Write your name and service as clients should see it."), [ctx.nav_row()])
    ctx.expect("worker_name")
    return True


async def _typed(ctx: Context, text: str, shortest: int, longest: int, allowed: bool = True) -> str | None:
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
    name = await _typed(ctx, text, 2, 80, _is_worker(ctx))
    if name is None:
        return
    ctx.expect(None)
    await people.set_display_name(ctx.session, ctx.user.id, name)
    await ctx.show("clients")


@router.action("wadd", screen=True)
async def add_client(ctx: Context) -> bool:
    if not _is_worker(ctx):
        return False
    ctx.say(ctx._("Write a short name for the client that only you will see (for example «Ганна К.»). "
                  "Do not write any details of the case."), [ctx.nav_row()])
    ctx.expect("client_alias")
    return True


@router.text_input("client_alias")
async def got_alias(ctx: Context, text: str) -> None:
    alias = await _typed(ctx, text, 1, 40, _is_worker(ctx))
    if alias is None:
        return
    ctx.expect(None)
    link, token = await service.invite_client(ctx.session, ctx.user.id, alias)
    await _show_invitation(ctx, link, token)


async def _show_invitation(ctx: Context, link: ClientLink, token: str) -> None:
    _ = ctx._
    deep = ctx.services.deep_links
    payload = f"cl_{token}"
    urls = deep.urls(payload) if deep else {}
    shown = urls or (deep.all(payload) if deep else {})  # no messenger configured: the console command
    lines = [
        _("Personal invitation for {client}. Send the link to the client only, or let them scan the QR code:").format(
            client=link.alias),
        *(f"• {channel}: {url}" for channel, url in shown.items()),
        _("Reminders start only after the client agrees. The link works once."),
    ]
    attachments = []
    qr_target = next(iter(urls.values()), None)
    if qr_target:
        png = _qr_png(qr_target)
        if png:
            attachments.append(Attachment("image", "invitation-qr.png", png, link.alias))
    ctx.say("\n".join(lines), [[ctx.btn(_("Open the client"), "wclient", str(link.id))], ctx.nav_row()],
            attachments=attachments)


def _qr_png(url: str) -> bytes | None:
    try:
        import io

        import segno
    except ImportError:
        return None
    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="png", scale=8, border=4)
    return buf.getvalue()


@router.action("wclient", screen=True)
async def client_screen(ctx: Context, link_id: str) -> bool:
    link = await _own_link(ctx, link_id)
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
            lines.append(f"{STATE_ICONS[occ.state]} {_local(ctx, occ.due_at)} — {short(reminder.text, 50)} — "
                         f"{_(STATE_NAMES[occ.state])}{reason}")
        for reminder in {r.id: r for r, o in items if o.state == "scheduled" and r.active}.values():
            rows.append([ctx.btn(short(_("Change: {text}").format(text=reminder.text), 60), "redit", str(reminder.id)),
                         ctx.btn(_("Cancel ✖"), "rcancel", str(reminder.id))])
    if link.state == "active":
        rows.insert(0, [ctx.btn(_("New reminder ➕"), "rnew", str(link.id))])
    elif link.state == "invited":
        rows.insert(0, [ctx.btn(_("Show the invitation again"), "winv", str(link.id))])
    ctx.say("\n".join(lines), [*rows, ctx.nav_row()])
    return True


@router.action("winv")
async def invitation_again(ctx: Context, link_id: str) -> bool:
    link = await _own_link(ctx, link_id)
    if link is None or link.state != "invited":
        return False
    import secrets

    token = secrets.token_urlsafe(16)  # a fresh link; the old one stops working
    link.invite_hash = token_hash(token)
    await _show_invitation(ctx, link, token)
    return True


# --- the reminder wizard: text → date → time → repeat → confirm ---------------------------------


@router.action("rnew", screen=True)
async def new_reminder(ctx: Context, link_id: str) -> bool:
    link = await _own_link(ctx, link_id)
    if link is None or link.state != "active":
        return False
    _ = ctx._
    ctx.put(Wizard(link=link.id))
    rows = [[ctx.btn(_(label), "rtpl", str(n))] for n, label in enumerate(TEMPLATE_LABELS)]
    ctx.say(_("New reminder for {client}. Choose a ready text or write your own (keep it neutral: "
              "others may see the phone's screen).").format(client=link.alias), [*rows, ctx.nav_row()])
    ctx.expect("rem_text")
    return True


@router.action("rtpl", stateful=True)
async def template_chosen(ctx: Context, n: str) -> bool:
    if not n.isdigit() or int(n) >= len(TEMPLATES) or ctx.get(Wizard) is None:
        return False
    await _set_text(ctx, ctx._(TEMPLATES[int(n)]))
    return True


@router.text_input("rem_text")
async def got_text(ctx: Context, text: str) -> None:
    value = await _typed(ctx, text, 1, MAX_TEXT, ctx.get(Wizard) is not None)
    if value is not None:
        await _set_text(ctx, value)


async def _set_text(ctx: Context, text: str) -> None:
    w = ctx.get(Wizard)
    assert w is not None  # checked by the callers
    w.text = text
    ctx.put(w)
    await _ask_date(ctx)


async def _ask_date(ctx: Context) -> None:
    _ = ctx._
    today = ctx.now().astimezone(_policy(ctx).tz).date()
    days = [(today, _("Today")), (today + dt.timedelta(days=1), _("Tomorrow"))]
    days += [(today + dt.timedelta(days=n), ctx.t.date(today + dt.timedelta(days=n), "EEE d MMM")) for n in range(2, 8)]
    rows = [[ctx.btn(label, "rdate", d.strftime("%Y%m%d")) for d, label in days[i:i + 2]] for i in range(0, len(days), 2)]
    ctx.say(_("Which day? Choose, or type a date like 25.12 or 25.12.2026."), [*rows, ctx.nav_row()])
    ctx.expect("rem_date")


def _parse_date(text: str, today: dt.date) -> dt.date | None:
    parts = text.strip().replace("/", ".").replace("-", ".").split(".")
    try:
        if len(parts) == 2:
            day = dt.date(today.year, int(parts[1]), int(parts[0]))
            return day if day >= today else dt.date(today.year + 1, day.month, day.day)
        if len(parts) == 3:
            year = int(parts[2]) + (2000 if len(parts[2]) == 2 else 0)
            return dt.date(year, int(parts[1]), int(parts[0]))
    except ValueError:
        return None
    return None


@router.action("rdate", stateful=True)
async def date_chosen(ctx: Context, value: str) -> bool:
    try:
        day = dt.datetime.strptime(value, "%Y%m%d").date()
    except ValueError:
        return False
    if ctx.get(Wizard) is None:
        return False
    await _set_date(ctx, day)
    return True


@router.text_input("rem_date")
async def got_date(ctx: Context, text: str) -> None:
    today = ctx.now().astimezone(_policy(ctx).tz).date()
    day = _parse_date(text, today)
    if ctx.get(Wizard) is None:
        ctx.expect(None)
        await ctx.show("menu")
        return
    if day is None or day < today:
        ctx.say(ctx._("I could not read that date, or it has passed. Type it like 25.12 or 25.12.2026."), [ctx.nav_row()])
        return
    await _set_date(ctx, day)


async def _set_date(ctx: Context, day: dt.date) -> None:
    w = ctx.get(Wizard)
    assert w is not None
    w.date = day.isoformat()
    ctx.put(w)
    _ = ctx._
    times = [f"{h:02d}:00" for h in range(8, 20)]
    rows = [[ctx.btn(t, "rtime", t.replace(":", "")) for t in times[i:i + 4]] for i in range(0, len(times), 4)]
    ctx.say(_("At what time ({tz})? Choose, or type it like 14:30.").format(tz=ctx.settings.timezone),
            [*rows, ctx.nav_row()])
    ctx.expect("rem_time")


@router.action("rtime", stateful=True)
async def time_chosen(ctx: Context, value: str) -> bool:
    at = parse_hhmm(f"{value[:2]}:{value[2:]}") if len(value) == 4 and value.isdigit() else None
    if at is None or ctx.get(Wizard) is None:
        return False
    await _set_time(ctx, at)
    return True


@router.text_input("rem_time")
async def got_time(ctx: Context, text: str) -> None:
    at = parse_hhmm(text)
    if ctx.get(Wizard) is None:
        ctx.expect(None)
        await ctx.show("menu")
        return
    if at is None:
        ctx.say(ctx._("Type the time like 14:30."), [ctx.nav_row()])
        return
    await _set_time(ctx, at)


async def _set_time(ctx: Context, at: dt.time) -> None:
    wizard = ctx.get(Wizard)
    assert wizard is not None and wizard.date is not None
    wizard.time = at.strftime("%H:%M")
    ctx.put(wizard)
    ctx.expect(None)
    policy = _policy(ctx)
    if to_utc(dt.date.fromisoformat(wizard.date), at, policy.tz) <= ctx.now():
        ctx.say(ctx._("This moment has already passed. Choose another time."))
        await _set_date(ctx, dt.date.fromisoformat(wizard.date))
        return
    if wizard.edit is not None:
        await _finish_edit(ctx)
        return
    _ = ctx._
    rows = [[ctx.btn(_(REPEATS[k]), "rrep", k, "0")] for k in REPEATS]
    rows += [[ctx.btn(_("{n} days before that date, and on the day").format(n=n), "rrep", "before", str(n))] for n in (1, 3, 7)]
    ctx.say(_("How often?"), [*rows, ctx.nav_row()])


@router.action("rrep", stateful=True)
async def repeat_chosen(ctx: Context, kind: str, days: str) -> bool:
    wizard = ctx.get(Wizard)
    if wizard is None or wizard.time is None or kind not in (*REPEATS, "before") or not days.isdigit():
        return False
    wizard.repeat, wizard.days_before = kind, int(days)
    ctx.put(wizard)
    await _confirm(ctx)
    return True


@router.action("rurgent", stateful=True)
async def toggle_urgent(ctx: Context) -> bool:
    wizard = ctx.get(Wizard)
    if wizard is None or wizard.repeat is None:
        return False
    wizard.urgent = not wizard.urgent
    ctx.put(wizard)
    await _confirm(ctx)
    return True


def _repeat_text(ctx: Context, repeat: str, days_before: int) -> str:
    if repeat == "before":
        return ctx._("{n} days before that date, and on the day").format(n=days_before)
    return ctx._(REPEATS[repeat])


async def _confirm(ctx: Context) -> None:
    _ = ctx._
    w = ctx.get(Wizard)
    assert w is not None and w.date and w.time and w.repeat
    link = await _own_link(ctx, str(w.link))
    if link is None:
        await ctx.show("menu")
        return
    policy = _policy(ctx)
    day, at = dt.date.fromisoformat(w.date), parse_hhmm(w.time)
    lines = [
        _("Check the reminder:"),
        _("For: {client}").format(client=link.alias),
        _("Text: {text}").format(text=w.text),
        _("When: {date}, {time}").format(date=ctx.t.date(day), time=w.time),
        _("Repeat: {repeat}").format(repeat=_repeat_text(ctx, w.repeat, w.days_before)),
    ]
    rows = [[ctx.btn(_("Confirm ✅"), "rsave")]]
    assert at is not None  # stored by _set_time from a parsed time
    local = to_utc(day, at, policy.tz).astimezone(policy.tz)
    if in_quiet_hours(local, policy.quiet_start, policy.quiet_end):
        quiet = f"{policy.quiet_start:%H:%M}–{policy.quiet_end:%H:%M}"
        if w.urgent:
            lines.append(_("Urgent: it will be sent at exactly this time, even in quiet hours ({quiet}).").format(quiet=quiet))
            rows.append([ctx.btn(_("Not urgent: wait for the morning"), "rurgent")])
        else:
            lines.append(_("This is in quiet hours ({quiet}): it will arrive at {end} instead.").format(
                quiet=quiet, end=f"{policy.quiet_end:%H:%M}"))
            rows.append([ctx.btn(_("Urgent: send at exactly this time"), "rurgent")])
    rows.append([ctx.btn(_("Cancel"), "wclient", str(link.id))])
    ctx.say("\n".join(lines), [*rows, ctx.nav_row()])


@router.action("rsave", stateful=True)
async def save(ctx: Context) -> bool:
    w = ctx.get(Wizard)
    ctx.drop(Wizard)
    if w is None or w.repeat is None or not (w.text and w.date and w.time):
        return False
    link = await _own_link(ctx, str(w.link))
    if link is None or link.state != "active":
        return False
    _reminder, occ = await service.create_reminder(
        ctx.session, link, text=w.text, start_date=dt.date.fromisoformat(w.date), local_time=w.time,
        repeat=w.repeat, days_before=w.days_before, urgent=w.urgent, policy=_policy(ctx), now=ctx.now(),
    )
    if occ is not None:
        ctx.say(ctx._("✅ Saved. The first reminder will be sent {when}.").format(when=_local(ctx, occ.due_at)))
    await ctx.show("wclient", str(link.id))
    return True


# --- edit and cancel ----------------------------------------------------------------------------


async def _own_reminder(ctx: Context, reminder_id: str) -> tuple[Reminder | None, ClientLink | None]:
    if not reminder_id.isdigit():
        return None, None
    reminder = await ctx.session.get(Reminder, int(reminder_id))
    link = await _own_link(ctx, str(reminder.link_id)) if reminder else None
    return (reminder, link) if link else (None, None)


@router.action("redit", screen=True)
async def edit(ctx: Context, reminder_id: str) -> bool:
    reminder, link = await _own_reminder(ctx, reminder_id)
    if reminder is None or link is None or not reminder.active:
        return False
    ctx.put(Wizard(link=link.id, edit=reminder.id, text=reminder.text))
    ctx.say(ctx._("Changing «{text}». Choose the new day and time.").format(text=reminder.text))
    await _ask_date(ctx)
    return True


async def _finish_edit(ctx: Context) -> None:
    w = ctx.get(Wizard)
    ctx.drop(Wizard)
    assert w is not None and w.date and w.time
    reminder, link = await _own_reminder(ctx, str(w.edit))
    if reminder is None or link is None:
        await ctx.show("menu")
        return
    occ = await service.reschedule(ctx.session, reminder, start_date=dt.date.fromisoformat(w.date),
                                   local_time=w.time, policy=_policy(ctx), now=ctx.now())
    if occ is not None:
        ctx.say(ctx._("✅ Changed. The next reminder will be sent {when}.").format(when=_local(ctx, occ.due_at)))
    await ctx.show("wclient", str(link.id))


@router.action("rcancel", stateful=True)
async def cancel(ctx: Context, reminder_id: str) -> bool:
    reminder, link = await _own_reminder(ctx, reminder_id)
    if reminder is None or link is None:
        return False
    await service.cancel_reminder(ctx.session, reminder)
    ctx.say(ctx._("✖ Cancelled: «{text}».").format(text=reminder.text))
    await ctx.show("wclient", str(link.id))
    return True
