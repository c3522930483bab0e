"""Feedback surveys for offices (issue #5): take a survey from a poster's QR code or the menu;
staff read the results.

The survey in progress lives in the conversation state (`fb`): which survey, office and
question, the answers so far, when it started. It can be resumed from the menu or the
QR code and is dropped after two hours. Only a completed survey is stored, anonymously.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from zoneinfo import ZoneInfo

from bot.core.context import Context
from bot.core.events import Attachment
from bot.core.feature import MenuEntry
from bot.core.payloads import to_base36
from bot.core.redact import mask_contacts
from bot.core.router import Router
from bot.core.state import FlowState
from bot.core.ui import cnap_contacts, office_block, short
from bot.features.feedback import store
from bot.features.feedback.alerts import alert_staff
from bot.features.feedback.answers import next_index, parse_typed
from bot.features.feedback.charts import results_chart
from bot.features.feedback.links import PREFIX, Target, parse_payload
from bot.features.feedback.models import FeedbackResponse
from bot.features.feedback.report import summarize, summary_text
from bot.features.feedback.surveys import SCALE, Survey, SurveyError, SurveySet, get_surveys
from bot.i18n import N_
from knowledge.models import Office

log = logging.getLogger(__name__)
router = Router("feedback")
MENU = (
    MenuEntry(N_("Leave feedback ⭐"), "feedback", 40),
    MenuEntry(N_("Feedback results 📊"), "fbresults", 50, roles=frozenset({"staff", "admin"})),
)


class SurveyRun(FlowState):
    """A survey being answered. Kept when the person leaves it, so it can be resumed (for 2 hours)."""

    owner = "feedback"
    keep = True
    sid: str  # survey id and version: a survey file changed since makes the run stale
    ver: int
    office: str
    service: str | None = None
    window: str | None = None
    src: str  # "qr" or "menu"
    started: dt.datetime
    run: str  # this run's code on its buttons: buttons of an earlier run are stale
    q: int  # the current question
    a: dict[str, Any] = {}  # answers so far
    pick: list[str] = []  # ticked options of the current multiple-choice question
    nudged: int | None = None  # the question for which typed text was already answered with the buttons again


EXPIRES = dt.timedelta(hours=2)
PERIODS = ("7", "30", "90")  # days of results staff can pick
DEFAULT_PERIOD = "30"


# --- helpers ---------------------------------------------------------------------------------


def _surveys(ctx: Context) -> SurveySet | None:
    try:
        return get_surveys(ctx.settings.kb_dir)
    except SurveyError:
        log.exception("the survey files are broken; run `python run_bot.py feedback check`")
        ctx.say(ctx._("Sorry, feedback cannot be collected at the moment.")
                + "\n\n" + cnap_contacts(ctx), [ctx.nav_row(back=False)])
        return None


def _today(ctx: Context) -> dt.date:
    return ctx.now().astimezone(ZoneInfo(ctx.settings.timezone)).date()


def _receipt(ctx: Context, office_id: str) -> str:
    return store.receipt_key(ctx.settings.secret_key_bytes(), ctx.user.id, office_id, _today(ctx))


def _active(ctx: Context, surveys: SurveySet) -> tuple[SurveyRun, Survey] | None:
    """The unfinished survey, unless it expired or its survey file changed since."""
    st = ctx.get(SurveyRun)
    if st is None:
        return None
    survey = surveys.surveys.get(st.sid)
    if survey is None or survey.version != st.ver or st.office not in ctx.kb.offices or ctx.now() - st.started > EXPIRES:
        ctx.drop(SurveyRun)
        return None
    return st, survey


def _ask(ctx: Context, st: SurveyRun, survey: Survey, notice: str = "", *, edit: bool = False) -> None:
    """Show the current question with its answer buttons."""
    _ = ctx._
    q = survey.questions[st.q]
    run, n = st.run, str(st.q)
    if q.kind == "rating":
        rows = [[ctx.btn(survey.scale_label(v, ctx.lang), "fba", run, n, str(v))] for v in reversed(SCALE)]
    elif q.kind == "single":
        rows = [[ctx.btn(short(o.text.get(ctx.lang)), "fba", run, n, str(i))] for i, o in enumerate(q.options)]
    elif q.kind == "yesno":
        rows = [[ctx.btn(_("Yes ✅"), "fba", run, n, "y"), ctx.btn(_("No ❌"), "fba", run, n, "n")]]
    elif q.kind == "multiple":
        picked = set(st.pick)
        rows = [[ctx.btn(short(("☑ " if o.id in picked else "☐ ") + o.text.get(ctx.lang)), "fbt", run, n, str(i))]
                for i, o in enumerate(q.options)]
        rows.append([ctx.btn(_("Done ✔"), "fbd", run, n)])
    else:
        rows = []
    if q.optional:
        rows.append([ctx.btn(_("Skip ⏭"), "fbs", run, n)])
    rows.append(ctx.nav_row(back=False))
    ctx.expect("fb_answer")  # typed answers work too ("5", "так", the words of an option)
    ctx.put(st)
    text = q.text.get(ctx.lang)
    if q.kind == "text":
        text += "\n" + _("Phone numbers and e-mail addresses are removed from what you write.")
    ctx.say(f"{notice}\n\n{text}" if notice else text, rows, edit=edit)


def _already_answered(ctx: Context, office: Office) -> None:
    _ = ctx._
    ctx.expect(None)
    ctx.say(_("You have already left feedback for this office today — thank you!") + " "
            + _("After your next visit you can leave feedback again.") + "\n\n" + office_block(ctx.t, office),
            [ctx.nav_row(back=False)])


async def _begin(ctx: Context, target: Target, source: str) -> bool:
    """Start (or resume) the survey for an office; False if the office has none."""
    surveys = _surveys(ctx)
    if surveys is None:
        return True
    survey = surveys.for_target(target.office, target.service, target.window)
    office = ctx.kb.offices.get(target.office)
    if survey is None or office is None:
        return False
    _ = ctx._
    active = _active(ctx, surveys)
    if active and (active[0].office, active[0].service, active[0].window) == (target.office, target.service, target.window):
        _ask(ctx, *active, notice=_("Welcome back! Let us continue where you stopped."))
        return True
    if await store.has_receipt(ctx.session, _receipt(ctx, office.id)):
        _already_answered(ctx, office)
        return True
    started = ctx.now()
    first = next_index(survey, {})
    if first is None:  # a survey whose every question is skipped: nothing to ask
        return False
    st = SurveyRun(sid=survey.id, ver=survey.version, office=office.id, service=target.service, window=target.window,
                   src=source, started=started, run=to_base36(int(started.timestamp() * 1000)),
                   q=first, a={})
    ctx.say(f"⭐ {survey.title.get(ctx.lang)}\n{office.name.get(ctx.lang)}\n\n{survey.intro.get(ctx.lang)}")
    ctx.count("survey_started", office.id)
    _ask(ctx, st, survey)
    return True


async def _record(ctx: Context, st: SurveyRun, survey: Survey, value: Any) -> None:
    """Keep the answer to the current question (None: skipped) and go on."""
    q = survey.questions[st.q]
    if value is None:
        st.a.pop(q.id, None)
    else:
        st.a[q.id] = value
    st.pick = []
    nxt = next_index(survey, st.a, st.q)
    if nxt is None:
        await _finish(ctx, st, survey)
    else:
        st.q = nxt
        _ask(ctx, st, survey)


async def _finish(ctx: Context, st: SurveyRun, survey: Survey) -> None:
    _ = ctx._
    ctx.drop(SurveyRun)
    ctx.expect(None)
    office = ctx.kb.offices[st.office]
    response = FeedbackResponse(
        survey_id=survey.id, survey_version=survey.version, office_id=office.id, service_id=st.service,
        window=st.window, day=_today(ctx), channel=ctx.user.channel, lang=ctx.lang, source=st.src,
        low=survey.is_low(st.a), answers=st.a,
    )
    if not await store.save_response(ctx.session, _receipt(ctx, office.id), response):
        _already_answered(ctx, office)
        return
    ctx.count("survey_done", f"{office.id}:{st.a.get(survey.main_rating or '', '')}")  # the office and its rating
    text = survey.thanks.get(ctx.lang)
    if response.low and await alert_staff(ctx.session, response):
        text += "\n" + _("We have passed your answers to the office's staff so that they can look into it.")
    ctx.say(text + "\n\n" + office_block(ctx.t, office), [ctx.nav_row(back=False)])


async def _on_question(ctx: Context, run: str, n: str, handle: Callable[[SurveyRun, Survey], Awaitable[bool]]) -> bool:
    """Run `handle` for a button of the current question. A button of an earlier question (a double
    tap, an old message) shows the current question again; one of a finished or expired survey is stale."""
    active = _active(ctx, get_surveys(ctx.settings.kb_dir))
    if active is None or active[0].run != run:
        return False
    if n != str(active[0].q):
        _ask(ctx, *active)
        return True
    return await handle(*active)


# --- taking a survey ------------------------------------------------------------------------------


@router.deeplink(PREFIX)
async def qr_link(ctx: Context, rest: str) -> bool:
    """`/start fb1_…` from a poster: straight into that office's survey, new user or not."""
    target = parse_payload(rest, ctx.kb)
    return target is not None and await _begin(ctx, target, "qr")


@router.action("feedback", screen=True)
async def feedback(ctx: Context, fresh: str = "") -> None:
    _ = ctx._
    surveys = _surveys(ctx)
    if surveys is None:
        return
    active = _active(ctx, surveys)
    if active and not fresh:
        office = ctx.kb.offices[active[0].office]
        ctx.say(_("You have an unfinished survey about «{office}». Shall we continue?").format(office=office.name.get(ctx.lang)),
                [[ctx.btn(_("Continue ▶️"), "fbgo")], [ctx.btn(_("Choose another office"), "feedback", "new")], ctx.nav_row()])
        return
    offices = surveys.offices(ctx.kb)
    if len(offices) == 1:
        await _begin(ctx, Target(offices[0].id), "menu")
        return
    rows = [[ctx.btn(short(o.name.get(ctx.lang)), "fbo", o.id)] for o in offices]
    ctx.say(_("Which office did you visit? Your answers are anonymous."), [*rows, ctx.nav_row()])


@router.action("fbo")
async def office_chosen(ctx: Context, office_id: str) -> bool:
    st = ctx.get(SurveyRun)
    if st is not None and st.office != office_id:
        ctx.drop(SurveyRun)  # "Choose another office": the unfinished one is given up
    return await _begin(ctx, Target(office_id), "menu")


@router.action("fbgo")
async def resume(ctx: Context) -> bool:
    active = _active(ctx, get_surveys(ctx.settings.kb_dir))
    if active is None:
        return False
    _ask(ctx, *active)
    return True


@router.action("fba")
async def answer(ctx: Context, run: str, n: str, value: str) -> bool:
    """A rating (1–5), a single choice (option number) or yes/no ("y"/"n")."""

    async def handle(st: SurveyRun, survey: Survey) -> bool:
        q = survey.questions[st.q]
        if q.kind == "rating" and value.isdigit() and int(value) in SCALE:
            parsed: Any = int(value)
        elif q.kind == "single" and value.isdigit() and int(value) < len(q.options):
            parsed = q.options[int(value)].id
        elif q.kind == "yesno" and value in ("y", "n"):
            parsed = value == "y"
        else:
            return False
        await _record(ctx, st, survey, parsed)
        return True

    return await _on_question(ctx, run, n, handle)


@router.action("fbt")
async def toggle(ctx: Context, run: str, n: str, index: str) -> bool:
    """Tick or untick an option of a multiple-choice question (the message is updated in place)."""

    async def handle(st: SurveyRun, survey: Survey) -> bool:
        options = survey.questions[st.q].options
        if not index.isdigit() or int(index) >= len(options):
            return False
        picked = set(st.pick) ^ {options[int(index)].id}
        st.pick = [o.id for o in options if o.id in picked]
        _ask(ctx, st, survey, edit=True)
        return True

    return await _on_question(ctx, run, n, handle)


@router.action("fbd")
async def done(ctx: Context, run: str, n: str) -> bool:
    """"Done" under a multiple-choice question."""

    async def handle(st: SurveyRun, survey: Survey) -> bool:
        q = survey.questions[st.q]
        picked = st.pick or []
        if q.kind != "multiple":
            return False
        if not picked and not q.optional:
            _ask(ctx, st, survey, notice=ctx._("Please tick at least one answer, then press «Done»."))
            return True
        await _record(ctx, st, survey, list(picked) or None)
        return True

    return await _on_question(ctx, run, n, handle)


@router.action("fbs")
async def skip(ctx: Context, run: str, n: str) -> bool:
    async def handle(st: SurveyRun, survey: Survey) -> bool:
        if not survey.questions[st.q].optional:
            return False
        await _record(ctx, st, survey, None)
        return True

    return await _on_question(ctx, run, n, handle)


@router.text_input("fb_answer")
async def typed_answer(ctx: Context, text: str) -> None:
    """Free text for a text question; for a button question a typed answer, else it is a search."""
    active = _active(ctx, get_surveys(ctx.settings.kb_dir))
    if active is None:  # expired or finished meanwhile: the text is whatever the person wants now
        await ctx.as_free_text(text)
        return
    q = active[1].questions[active[0].q]
    if q.kind == "text":
        text = text.strip()
        if len(text) > q.max_length:
            _ask(ctx, *active, notice=ctx._("Your text has {n} characters; please keep it within {max}. Shorten it and "
                                            "send it again, or press «Skip».").format(n=len(text), max=q.max_length))
            return
        await _record(ctx, *active, mask_contacts(text) or None)  # «anonymous» holds for what staff read
        return
    value = parse_typed(active[1], q, text)
    if value is None and active[0].nudged != active[0].q:
        # Probably an answer in their own words: show the buttons again, once, before treating it as a search.
        active[0].nudged = active[0].q
        _ask(ctx, *active, notice=ctx._("Please answer with one of the buttons below. To leave the survey, press «Main menu»."))
        return
    if value is None:
        # Still not an answer: the person wants something else; the survey waits for them.
        await ctx.as_free_text(text)
        return
    await _record(ctx, *active, value)


# --- results for staff ------------------------------------------------------------------------------


async def _staff_offices(ctx: Context) -> list[Office] | None:
    """The offices whose results this person may see (main office first); None if not staff."""
    if not ctx.roles & {"staff", "admin"}:
        return None
    scopes = await store.office_scopes(ctx.session, ctx.user.id)
    offices = [o for o in ctx.kb.offices.values() if scopes is None or o.id in scopes]
    return sorted(offices, key=lambda o: not o.main)


@router.action("fbresults", screen=True)
async def feedback_results(ctx: Context) -> bool:
    offices = await _staff_offices(ctx)
    if offices is None:
        return False
    if len(offices) == 1:
        return await office_results(ctx, offices[0].id, DEFAULT_PERIOD)
    rows = [[ctx.btn(short(o.name.get(ctx.lang)), "fbr", o.id, DEFAULT_PERIOD)] for o in offices]
    ctx.say(ctx._("Feedback results: choose the office."), [*rows, ctx.nav_row()])
    return True


@router.action("fbr", screen=True)
async def office_results(ctx: Context, office_id: str, days: str) -> bool:
    _ = ctx._
    offices = await _staff_offices(ctx)
    office = ctx.kb.offices.get(office_id)
    if offices is None or office not in offices or days not in PERIODS:
        return False
    surveys = _surveys(ctx)
    if surveys is None:
        return True
    until = _today(ctx)
    since = until - dt.timedelta(days=int(days) - 1)
    summary = summarize(await store.responses(ctx.session, [office.id], since, until), surveys, ctx.lang, since, until)
    title = office.name.get(ctx.lang)
    if summary.responses:
        period = f"{ctx.t.day(since, until)} – {ctx.t.day(until)}"
        png = await asyncio.to_thread(results_chart, summary, ctx.t, f"{title}\n{period}")
        ctx.say("", attachments=[Attachment("image", f"feedback-{office.id}-{until.isoformat()}.png", png, caption=title)])
    periods = [ctx.btn(("✔ " if d == days else "") + ctx.ngettext("{n} day", "{n} days", int(d)).format(n=d), "fbr", office.id, d)
               for d in PERIODS]
    rows = [periods]
    if len(offices) > 1:
        rows.append([ctx.btn(_("Another office"), "fbresults")])
    ctx.say(summary_text(summary, ctx.t, title, since, until), [*rows, ctx.nav_row()])
    return True
