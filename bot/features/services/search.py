"""Typed text that nothing else awaited: what it asks, answered honestly.

The search engine (`knowledge.search`, `SearchEngine.answer`) cleans the text, recognises what is
not a search (an intent) and says how sure it is (a verdict). Intents come first: a greeting or a
thank-you, the CNAP's contacts, what the bot can do, a person please, an application number. Then
the verdict: "found" shows the results, "clarify" asks ONE question with the candidates, "maybe"
says it is not sure and asks whether it is one of the first few (the CNAP's contacts beside them),
"none" says plainly that we do not know, with the CNAP's contacts — never random services.

What was typed is quoted only as the engine's short `excerpt`; an unanswered search is stored as
its `log_text` (phones, e-mails and long numbers masked), without who asked. The raw text is never
logged.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING

from bot.core import payloads
from bot.core.context import Context
from bot.core.state import FlowState
from bot.core.ui import CONTACT_PARTS, cnap_contacts, office_block, short
from bot.features.services import store
from bot.features.services.flows import router

if TYPE_CHECKING:
    from knowledge.search import Answer  # the engine itself is built by the app (bot/app.py), when needed

PAGE = 5  # results per page: a short list is easier to read on a phone
MENTIONED = 1  # services offered under the answer to a question about the CNAP that named one too: the best only


class LastSearch(FlowState):
    """The last search, so "More results" and "Back" to the results work after opening a card."""

    owner = "services"
    keep = True  # Back from a document list (another feature) returns to these results
    query: str  # as the engine cleaned it: no control characters or escapes, at most 300 characters


@router.text_input("search")
async def search_text(ctx: Context, text: str) -> None:
    if ctx.search is None:
        ctx.say(ctx._("Search is not available right now. Please choose a topic."),
                [[ctx.btn(ctx._("Services by topic 📂"), "cats")], ctx.nav_row()])
        return
    answer: Answer = ctx.search.answer(text, ctx.lang)
    if not answer.text:  # nothing readable: only spaces, control characters or escape codes
        await ctx.show("menu")
        return
    if answer.intent is not None and await _intent(ctx, answer):
        return
    ctx.put(LastSearch(query=answer.text))
    # Counted and recorded once here, not each time Back shows the answer again; never the raw text.
    # A "maybe" counts as not found, and staff see it among the unanswered searches (to add words).
    unsure = answer.verdict in ("none", "maybe")
    ctx.count("search", "not_found" if unsure else "found")
    if unsure:
        ctx.count("unanswered", answer.log_text)
        await store.record_search_miss(ctx.session, answer.log_text, ctx.lang)
    await ctx.show("results", "0")


async def _intent(ctx: Context, answer: Answer) -> bool:
    """A message that asks something else than a service: answered from data, not from a card.

    False for an intent this version does not know: the message is then a search."""
    _ = ctx._
    if answer.intent in ("greeting", "thanks"):
        ctx.say(_("Hello! How can I help? Type what you need or choose below.") if answer.intent == "greeting"
                else _("You are welcome! If you need anything else, I am here."))
        await ctx.show("menu")
    elif answer.intent == "cnap-contacts":
        part = answer.contact_topic if answer.contact_topic in CONTACT_PARTS else None
        await ctx.show("cnap", *([part] if part else []))
    elif answer.intent == "about-bot":
        await ctx.show("help")
    elif answer.intent == "human":
        await ctx.show("human")
    elif answer.intent == "status-lookup" and answer.app_number:
        _offer_status_lookup(ctx, answer.app_number)
    elif answer.intent == "status-lookup":  # «чи готові мої документи»: the look-up asks for the number
        await ctx.show("status")
    else:
        return False
    if answer.intent in ("cnap-contacts", "human") and answer.verdict == "found":
        # «графік роботи цнапу, хочу подати на субсидію»: the service asked about too, one tap away.
        ctx.say(_("You also asked about:"), [[_hit_button(ctx, h)] for h in answer.hits[:MENTIONED]])
    return True


# --- the verdict ---------------------------------------------------------------------------


@router.action("results", screen=True)
async def results(ctx: Context, page: str = "0") -> bool:
    last = ctx.get(LastSearch)
    if last is None or not page.isdigit() or ctx.search is None:
        return False
    answer: Answer = ctx.search.answer(last.query, ctx.lang)
    if answer.verdict == "found":
        return _found(ctx, answer, int(page))
    if answer.verdict == "clarify":
        _clarify(ctx, answer)
    elif answer.verdict == "maybe":
        _maybe(ctx, answer)
    else:
        _unknown(ctx, answer)
    return True


@router.action("more", stateful=True)
async def more(ctx: Context, page: str) -> bool:
    if not page.isdigit():
        return False
    # Replace the current results page on the Back stack, so Back leaves the results.
    return await ctx.show("results", page, replace=True)


def _hit_button(ctx: Context, hit):
    if hit.kind == "situation":
        sid = hit.id.split(":", 1)[-1]
        sit = ctx.kb.situations.get(sid)
        return ctx.btn(short("🧭 " + (sit.title.get(ctx.lang) if sit else hit.title)), "sit", sid)
    svc = ctx.kb.services.get(hit.id)
    return ctx.btn(short(svc.title.get(ctx.lang) if svc else hit.title), "svc", hit.id)


def _found(ctx: Context, answer: Answer, page: int) -> bool:
    _ = ctx._
    shown = answer.hits[page * PAGE : (page + 1) * PAGE]
    if not shown:
        return False
    rows = [[_hit_button(ctx, h)] for h in shown]
    if len(answer.hits) > (page + 1) * PAGE:
        rows.append([ctx.btn(_("More results…"), "more", str(page + 1))])
    ctx.say(_("Here is what I found for «{query}». Choose one:").format(query=answer.excerpt), [*rows, ctx.nav_row()])
    return True


def _clarify(ctx: Context, answer: Answer) -> None:
    """Two or three services are equally likely: ask which one, instead of guessing."""
    rows = [[_hit_button(ctx, h)] for h in answer.hits]
    ctx.say(ctx._("What exactly do you need?"),
            [*rows, [ctx.btn(ctx._("Something else: services by topic 📂"), "cats")], ctx.nav_row()])


def _maybe(ctx: Context, answer: Answer) -> None:
    """Not sure enough to say "found": say so, offer the first few as a question, and the CNAP's contacts
    for the case it is none of them."""
    _ = ctx._
    text = "\n\n".join(filter(None, [
        _("I am not sure I understood «{query}». Is it one of these?").format(query=answer.excerpt) + "\n"
        + _("If it is none of them, try other words or choose a topic."),
        cnap_contacts(ctx),
    ]))
    rows = [[_hit_button(ctx, h)] for h in answer.hits]
    ctx.say(text, [*rows, [ctx.btn(_("Services by topic 📂"), "cats")], ctx.nav_row()])


def _unknown(ctx: Context, answer: Answer) -> None:
    _ = ctx._
    text = "\n\n".join(filter(None, [
        _("Sorry, I do not know this one: «{query}».").format(query=answer.excerpt) + "\n"
        + _("Try other words, or choose a topic."),
        cnap_contacts(ctx),
    ]))
    ctx.say(text, [[ctx.btn(_("Services by topic 📂"), "cats")], [ctx.btn(_("Life situations 🧭"), "sits")],
                   ctx.nav_row()])


# --- intents answered from the offices data ---------------------------------------------------


@router.action("cnap", screen=True)
async def contacts(ctx: Context, part: str = "") -> bool:
    """Where the CNAP is, its hours, phone, how to get there: the part asked about first."""
    if part and part not in CONTACT_PARTS:
        return False
    ctx.say(office_block(ctx.t, ctx.kb.main_office, first=part or None),
            [[ctx.btn(ctx._("Find a service 🔎"), "find")], ctx.nav_row()])
    return True


@router.action("human", screen=True)
async def human(ctx: Context) -> None:
    _ = ctx._
    text = _("I am a bot, not a person. To talk to a person, call the CNAP or come in during opening hours:")
    ctx.say(text + "\n\n" + office_block(ctx.t, ctx.kb.main_office, first="phone"),
            [[ctx.btn(_("Find a service 🔎"), "find")], ctx.nav_row()])


def lookup_argument(number: str) -> str | None:
    """The status lookup's argument for a number (base64url, as in receipts' QR codes, see the status
    feature's `stfind`); None when the button's payload would not fit in 64 bytes."""
    encoded = base64.urlsafe_b64encode(number.strip().encode()).decode().rstrip("=")
    try:
        payloads.encode("stfind", (encoded,))
    except payloads.PayloadError:
        return None
    return encoded


def _offer_status_lookup(ctx: Context, number: str) -> None:
    """An application number typed as free text: offer its status, with the number filled in."""
    _ = ctx._
    encoded = lookup_argument(number)
    button = (ctx.btn(short(_("Check application No. {number}").format(number=number)), "stfind", encoded)
              if encoded else ctx.btn(_("Application status 📨"), "status"))
    ctx.say(_("«{number}» looks like an application number. Shall I check its status?").format(number=number),
            [[button], [ctx.btn(_("Find a service 🔎"), "find")], ctx.nav_row()])
