"""The reminder wizard: text → where/what to bring → day → time → repetition → check and save.

Each step is a screen (`rw:<step>`), so "Back" goes one step back and shows what was entered there
with a "Keep" button. A step that awaits a choice also takes the choice typed (its button's words,
"щотижня"; a day of the month; an hour) and otherwise asks again: nothing typed in the wizard ever
reaches the search. Moving an existing reminder (`redit`) runs the day and time steps only.
"""

from __future__ import annotations

import datetime as dt
import re

from bot.core.context import Context
from bot.core.router import Router
from bot.core.state import FlowState
from bot.core.ui import short
from bot.features.reminders import service
from bot.features.reminders.access import capital, own_link, policy, quoted, when
from bot.features.reminders.importer import parse_repeat
from bot.features.reminders.timing import in_quiet_hours, parse_hhmm, to_utc
from bot.features.reminders.worker_flows import own_reminder, typed
from bot.i18n import N_

router = Router("reminders")


class Wizard(FlowState):
    """A reminder being composed (or an existing one being moved): what was entered so far."""

    owner = "reminders"
    link: int
    edit: int | None = None  # the reminder being moved to another day or time
    text: str | None = None
    details: str | None = None  # None: not asked yet; "": skipped
    date: str | None = None  # ISO date
    time: str | None = None  # HH:MM
    repeat: str | None = None
    days_before: int = 0
    urgent: bool = False
    step: str = "text"


STEPS = ("text", "details", "date", "time", "repeat", "confirm")
EDIT_STEPS = ("date", "time")
TEMPLATES = [
    N_("You have an appointment. Please come on time."),
    N_("Please remember to bring your documents."),
    N_("A deadline is coming up. Please take care of your documents."),
    N_("The social worker will visit you at home."),
]
TEMPLATE_LABELS = [N_("Appointment"), N_("Bring documents"), N_("Deadline"), N_("Home visit")]
REPEATS = {"none": N_("once"), "daily": N_("every day"), "weekly": N_("every week"), "monthly": N_("every month")}
BEFORE_DAYS = (1, 3, 7)
MAX_TEXT, MAX_DETAILS = 300, 200
DAY_HOURS = range(8, 20)  # the times offered for a day: 08:00–19:00
LATE_HOURS = range(20, 24)  # offered for today once the day's times have passed


def _fold(text: str) -> str:
    """Typed words and button labels compared alike: case, emoji and punctuation ignored."""
    return " ".join(re.sub(r"[^\w\s]", " ", text.casefold().replace("’", "'")).split())


def _pick(typed_text: str, options: list[tuple[str, str]]) -> str | None:
    """The value of the option whose label was typed."""
    folded = _fold(typed_text)
    return next((value for label, value in options if folded and _fold(label) == folded), None)


def _steps(w: Wizard) -> tuple[str, ...]:
    return EDIT_STEPS if w.edit is not None else STEPS


def _value(w: Wizard, step: str) -> str | None:
    if step == "repeat":
        return f"{w.repeat}:{w.days_before}" if w.repeat else None
    return getattr(w, step, None) if step != "confirm" else None


def _local_today(ctx: Context) -> tuple[dt.date, dt.datetime]:
    now = ctx.now().astimezone(policy(ctx).tz)
    return now.date(), now


def _times(ctx: Context, day: dt.date) -> list[dt.time]:
    """The times offered for `day`: the day's usual ones, and today only those still to come."""
    today, now = _local_today(ctx)
    hours = list(DAY_HOURS)
    if day == today:
        hours = [h for h in DAY_HOURS if h > now.hour] or [h for h in LATE_HOURS if h > now.hour]
    return [dt.time(h) for h in hours]


def _tz_words(ctx: Context) -> str:
    tz = ctx.settings.timezone
    return ctx._("Kyiv time") if tz in ("Europe/Kyiv", "Europe/Kiev") else tz


def _repeat_text(ctx: Context, repeat: str, days_before: int) -> str:
    if repeat == "before":
        if days_before == 1:
            return ctx._("the day before that date, and on the day")
        return ctx.ngettext("{n} day before that date, and on the day", "{n} days before that date, and on the day",
                            days_before).format(n=days_before)
    return ctx._(REPEATS[repeat])


def _repeat_options(ctx: Context) -> list[tuple[str, str]]:
    options = [(capital(ctx._(label)), f"{kind}:0") for kind, label in REPEATS.items()]
    options += [(capital(_repeat_text(ctx, "before", n)), f"before:{n}") for n in BEFORE_DAYS]
    return options


# --- entering and moving through the steps ----------------------------------------------------------


@router.action("rnew", screen=True)
async def new_reminder(ctx: Context, link_id: str) -> bool:
    link = await own_link(ctx, link_id)
    if link is None or link.state != "active":
        return False
    ctx.put(Wizard(link=link.id))
    return await ctx.show("rw", "text", replace=True)


@router.action("redit", screen=True)
async def edit(ctx: Context, reminder_id: str) -> bool:
    reminder, link = await own_reminder(ctx, reminder_id)
    if reminder is None or link is None or not reminder.active:
        return False
    ctx.put(Wizard(link=link.id, edit=reminder.id, text=reminder.text, details=reminder.details or "",
                   date=reminder.start_date.isoformat(), time=reminder.local_time, repeat=reminder.repeat,
                   days_before=reminder.days_before, urgent=reminder.urgent, step="date"))
    return await ctx.show("rw", "date", replace=True)


@router.action("rw", screen=True)
async def step_screen(ctx: Context, step: str) -> bool:
    w = ctx.get(Wizard)
    if w is None or step not in _steps(w):
        return False
    steps = _steps(w)
    if any(_value(w, earlier) is None for earlier in steps[: steps.index(step)]):
        return False  # a step whose earlier answers are gone
    w.step = step
    ctx.put(w)
    return await _ask(ctx, w)


async def _advance(ctx: Context, w: Wizard) -> None:
    """The current step is answered: save it and show the next one (or finish)."""
    ctx.put(w)
    steps = _steps(w)
    if w.step == "time" and not await _time_still_ahead(ctx, w):
        return
    if w.step == steps[-1] and w.edit is not None:
        await _finish_edit(ctx, w)
        return
    await ctx.show("rw", steps[steps.index(w.step) + 1])


async def _time_still_ahead(ctx: Context, w: Wizard) -> bool:
    at = parse_hhmm(w.time or "")
    if w.date is None or at is None or to_utc(dt.date.fromisoformat(w.date), at, policy(ctx).tz) > ctx.now():
        return True
    await _ask(ctx, w, ctx._("This moment has already passed. Choose another time."))
    return False


@router.action("rkeep", stateful=True)
async def keep(ctx: Context) -> bool:
    """"Keep" on a step visited again with "Back": what was entered stays, go on."""
    w = ctx.get(Wizard)
    if w is None or _value(w, w.step) is None:
        return False
    await _advance(ctx, w)
    return True


# --- each step: the question, its buttons, and the answer typed ---------------------------------------


def _keep_row(ctx: Context, w: Wizard, shown: str) -> list:
    return [[ctx.btn(short(ctx._("Keep: {value}").format(value=shown), 48), "rkeep")]] if shown else []


async def _ask(ctx: Context, w: Wizard, notice: str = "") -> bool:
    link = await own_link(ctx, w.link)
    if link is None:
        return False
    text, rows = await ASK[w.step](ctx, w, link.alias)
    ctx.say(f"{notice}\n\n{text}" if notice else text, [*rows, ctx.nav_row()])
    ctx.expect("rem_step")
    return True


async def _ask_text(ctx: Context, w: Wizard, alias: str):
    _ = ctx._
    text = _("New reminder for the client «{client}». Choose a ready text or write your own (keep it neutral: "
             "others may see the phone's screen).").format(client=alias)
    rows = _keep_row(ctx, w, f"«{w.text}»" if w.text else "")
    rows += [[ctx.btn(_(label), "rtpl", str(n))] for n, label in enumerate(TEMPLATE_LABELS)]
    return text, rows


async def _ask_details(ctx: Context, w: Wizard, alias: str):
    _ = ctx._
    text = _("Where should the client come, and what should they bring? For example: «ЦНАП, вул. Соборна, 1, "
             "вікно 3; паспорт». Write it briefly, or skip this step.")
    return text, [*_keep_row(ctx, w, f"«{w.details}»" if w.details else ""), [ctx.btn(_("Skip"), "rskip")]]


def _day_options(ctx: Context) -> list[tuple[str, dt.date]]:
    today, _now = _local_today(ctx)
    days = [today + dt.timedelta(days=n) for n in range(8)]
    named = {today: ctx._("Today"), today + dt.timedelta(days=1): ctx._("Tomorrow")}
    options = [(named.get(d) or capital(ctx.t.day(d, today, weekday=True)), d) for d in days]
    return [(label, d) for label, d in options if d != today or _times(ctx, d)]


async def _ask_date(ctx: Context, w: Wizard, alias: str):
    _ = ctx._
    text = _("Which day? Choose, or type a date like 25.12 or 25.12.2026.")
    if w.edit is not None:
        text = _("Changing «{text}». Choose the new day and time.").format(text=quoted(w.text or "")) + "\n" + text
    today, _now = _local_today(ctx)
    kept = capital(ctx.t.day(dt.date.fromisoformat(w.date), today, weekday=True)) if w.date else ""
    days = [ctx.btn(label, "rdate", d.strftime("%Y%m%d")) for label, d in _day_options(ctx)]
    return text, [*_keep_row(ctx, w, kept), *(days[i:i + 2] for i in range(0, len(days), 2))]


async def _ask_time(ctx: Context, w: Wizard, alias: str):
    assert w.date is not None
    text = ctx._("At what time ({tz})? Choose, or type it like 14:30.").format(tz=_tz_words(ctx))
    times = [ctx.btn(t.strftime("%H:%M"), "rtime", t.strftime("%H%M")) for t in _times(ctx, dt.date.fromisoformat(w.date))]
    return text, [*_keep_row(ctx, w, w.time or ""), *(times[i:i + 4] for i in range(0, len(times), 4))]


async def _ask_repeat(ctx: Context, w: Wizard, alias: str):
    kept = capital(_repeat_text(ctx, w.repeat, w.days_before)) if w.repeat else ""
    rows = [[ctx.btn(label, "rrep", *value.split(":"))] for label, value in _repeat_options(ctx)]
    return ctx._("How often?"), [*_keep_row(ctx, w, kept), *rows]


async def _ask_confirm(ctx: Context, w: Wizard, alias: str):
    _ = ctx._
    assert w.date and w.time and w.repeat
    pol = policy(ctx)
    at = parse_hhmm(w.time)
    assert at is not None
    moment = to_utc(dt.date.fromisoformat(w.date), at, pol.tz)
    lines = [
        _("Check the reminder:"),
        _("For the client «{client}»").format(client=alias),
        _("Text: {text}").format(text=w.text),
    ]
    if w.details:
        lines.append(_("Where and what to bring: {details}").format(details=w.details))
    lines += [
        _("When: {when}").format(when=when(ctx, moment)),
        _("Repeat: {repeat}").format(repeat=_repeat_text(ctx, w.repeat, w.days_before)),
    ]
    rows = [[ctx.btn(_("Confirm ✅"), "rsave")]]
    if in_quiet_hours(moment.astimezone(pol.tz), pol.quiet_start, pol.quiet_end):
        quiet = f"{pol.quiet_start:%H:%M}–{pol.quiet_end:%H:%M}"
        if w.urgent:
            lines.append(_("Urgent: it will be sent at exactly this time, even in quiet hours ({quiet}).").format(quiet=quiet))
            rows.append([ctx.btn(_("Not urgent: wait for the morning"), "rurgent")])
        else:
            lines.append(_("This is in quiet hours ({quiet}): it will arrive at {end} instead.").format(
                quiet=quiet, end=f"{pol.quiet_end:%H:%M}"))
            rows.append([ctx.btn(_("Urgent: send at exactly this time"), "rurgent")])
    rows.append([ctx.btn(_("Cancel"), "wclient", str(w.link))])
    return "\n".join(lines), rows


ASK = {"text": _ask_text, "details": _ask_details, "date": _ask_date, "time": _ask_time, "repeat": _ask_repeat,
       "confirm": _ask_confirm}


@router.text_input("rem_step")
async def typed_answer(ctx: Context, text: str) -> None:
    """Whatever is typed while a step is shown is that step's answer, or it is asked again."""
    w = ctx.get(Wizard)
    if w is None or await own_link(ctx, w.link) is None:
        ctx.expect(None)
        await ctx.show("menu")
        return
    await READ[w.step](ctx, w, text)


async def _read_text(ctx: Context, w: Wizard, text: str) -> None:
    labels = [(ctx._(label), str(n)) for n, label in enumerate(TEMPLATE_LABELS)]
    labels += [(str(n + 1), str(n)) for n in range(len(TEMPLATES))]  # a bare number is no reminder text
    chosen = _pick(text, labels)
    value = ctx._(TEMPLATES[int(chosen)]) if chosen is not None else await typed(ctx, text, 1, MAX_TEXT)
    if value is not None:
        w.text = value
        await _advance(ctx, w)


async def _read_details(ctx: Context, w: Wizard, text: str) -> None:
    if _pick(text, [(ctx._("Skip"), "skip"), ("skip", "skip"), ("-", "skip")]):
        w.details = ""
    else:
        value = await typed(ctx, text, 1, MAX_DETAILS)
        if value is None:
            return
        w.details = value
    await _advance(ctx, w)


def _typed_date(ctx: Context, text: str) -> dt.date | None:
    today, _now = _local_today(ctx)
    by_label = _pick(text, [(label, d.isoformat()) for label, d in _day_options(ctx)])
    if by_label:
        return dt.date.fromisoformat(by_label)
    parts = re.split(r"[./-]", text.strip())
    try:
        if len(parts) == 1 and parts[0].isdigit() and 1 <= int(parts[0]) <= 31:  # a day of the month
            day = today
            while day.day != int(parts[0]) or day < today:
                day += dt.timedelta(days=1)
            return day
        if len(parts) == 2:
            day = dt.date(today.year, int(parts[1]), int(parts[0]))
            return day if day >= today else dt.date(today.year + 1, day.month, day.day)
        if len(parts) == 3:
            return dt.date(int(parts[2]) + (2000 if len(parts[2]) == 2 else 0), int(parts[1]), int(parts[0]))
    except ValueError:
        return None
    return None


async def _read_date(ctx: Context, w: Wizard, text: str) -> None:
    day = _typed_date(ctx, text)
    if day is None or day < _local_today(ctx)[0]:
        await _ask(ctx, w, ctx._("I could not read that date, or it has passed. Type it like 25.12 or 25.12.2026."))
        return
    w.date = day.isoformat()
    await _advance(ctx, w)


async def _read_time(ctx: Context, w: Wizard, text: str) -> None:
    at = parse_hhmm(text)
    if at is None:
        await _ask(ctx, w, ctx._("Type the time like 14:30."))
        return
    w.time = at.strftime("%H:%M")
    await _advance(ctx, w)


async def _read_repeat(ctx: Context, w: Wizard, text: str) -> None:
    chosen = _pick(text, _repeat_options(ctx))
    if chosen is None and not text.strip().isdigit():
        try:
            kind, days = parse_repeat(text)  # the words files use: щодня, weekly, за 3 дні…
            chosen = f"{kind}:{days}" if text.strip() else None
        except ValueError:
            chosen = None
    if chosen is None:
        await _ask(ctx, w, ctx._("Please choose one of the answers below (you can also type its words)."))
        return
    kind, count = chosen.split(":")
    w.repeat, w.days_before = kind, int(count)
    await _advance(ctx, w)


async def _read_confirm(ctx: Context, w: Wizard, text: str) -> None:
    _ = ctx._
    chosen = _pick(text, [(_("Confirm ✅"), "save"), (_("Cancel"), "cancel"),
                          (_("Urgent: send at exactly this time"), "urgent"), (_("Not urgent: wait for the morning"), "urgent")])
    if chosen == "save":
        await _save(ctx, w)
    elif chosen == "cancel":
        ctx.drop(Wizard)
        ctx.forget_screens("rw")
        await ctx.show("wclient", str(w.link))
    elif chosen == "urgent":
        await toggle_urgent(ctx)
    else:
        await _ask(ctx, w, _("Please choose one of the answers below (you can also type its words)."))


READ = {"text": _read_text, "details": _read_details, "date": _read_date, "time": _read_time, "repeat": _read_repeat,
        "confirm": _read_confirm}


# --- the step buttons -----------------------------------------------------------------------------------


async def _on_step(ctx: Context, step: str) -> Wizard | None:
    w = ctx.get(Wizard)
    return w if w is not None and w.step == step and await own_link(ctx, w.link) is not None else None


async def _chosen(ctx: Context, step: str, value: object, field: str, **more: object) -> bool:
    """A step's button: keep its value (None: not a valid one) and go on."""
    w = await _on_step(ctx, step)
    if w is None or value is None:
        return False
    for name, item in {field: value, **more}.items():
        setattr(w, name, item)
    await _advance(ctx, w)
    return True


@router.action("rtpl", stateful=True)
async def template_chosen(ctx: Context, n: str) -> bool:
    text = ctx._(TEMPLATES[int(n)]) if n.isdigit() and int(n) < len(TEMPLATES) else None
    return await _chosen(ctx, "text", text, "text")


@router.action("rskip", stateful=True)
async def skip_details(ctx: Context) -> bool:
    return await _chosen(ctx, "details", "", "details")


@router.action("rdate", stateful=True)
async def date_chosen(ctx: Context, value: str) -> bool:
    try:
        day: str | None = dt.datetime.strptime(value, "%Y%m%d").date().isoformat()
    except ValueError:
        day = None
    return await _chosen(ctx, "date", day, "date")


@router.action("rtime", stateful=True)
async def time_chosen(ctx: Context, value: str) -> bool:
    at = parse_hhmm(f"{value[:2]}:{value[2:]}") if len(value) == 4 and value.isdigit() else None
    return await _chosen(ctx, "time", at.strftime("%H:%M") if at else None, "time")


@router.action("rrep", stateful=True)
async def repeat_chosen(ctx: Context, kind: str, days: str) -> bool:
    valid = kind in (*REPEATS, "before") and days.isdigit()
    return await _chosen(ctx, "repeat", kind if valid else None, "repeat", days_before=int(days) if valid else 0)


@router.action("rurgent", stateful=True)
async def toggle_urgent(ctx: Context) -> bool:
    w = await _on_step(ctx, "confirm")
    if w is None:
        return False
    w.urgent = not w.urgent
    ctx.put(w)
    return await _ask(ctx, w)


@router.action("rsave", stateful=True)
async def save(ctx: Context) -> bool:
    w = await _on_step(ctx, "confirm")
    if w is None:
        return False
    return await _save(ctx, w)


async def _save(ctx: Context, w: Wizard) -> bool:
    link = await own_link(ctx, w.link)
    ctx.drop(Wizard)
    if link is None or link.state != "active" or not (w.text and w.date and w.time and w.repeat):
        return False
    _reminder, occ = await service.create_reminder(
        ctx.session, link, text=w.text, start_date=dt.date.fromisoformat(w.date), local_time=w.time,
        repeat=w.repeat, days_before=w.days_before, urgent=w.urgent, policy=policy(ctx), now=ctx.now(),
        details=w.details,
    )
    if occ is not None:
        ctx.say(ctx._("✅ Saved. The first reminder will be sent {when}.").format(when=when(ctx, occ.due_at)))
    ctx.forget_screens("rw")
    await ctx.show("wclient", str(link.id))
    return True


async def _finish_edit(ctx: Context, w: Wizard) -> None:
    ctx.drop(Wizard)
    reminder, link = await own_reminder(ctx, str(w.edit))
    ctx.forget_screens("rw")
    if reminder is None or link is None or not (w.date and w.time):
        await ctx.show("menu")
        return
    occ = await service.reschedule(ctx.session, reminder, start_date=dt.date.fromisoformat(w.date),
                                   local_time=w.time, policy=policy(ctx), now=ctx.now())
    if occ is not None:
        ctx.say(ctx._("✅ Changed. The next reminder will be sent {when}.").format(when=when(ctx, occ.due_at)))
    await ctx.show("wclient", str(link.id))
