"""Finding a service: free-text search, categories, life situations, the service card."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.feature import MenuEntry
from bot.core.router import Router
from bot.core.state import FlowState
from bot.core.ui import cnap_contacts, office_block, short
from bot.features.services import store
from bot.i18n import N_
from knowledge.card import legal_basis_lines, verification
from knowledge.models import Service

router = Router("services")
MENU = (MenuEntry(N_("Find a service 🔎"), "find", 10),)


class LastSearch(FlowState):
    """The last query, so "More results" and "Back" to the results work after opening a card."""

    owner = "services"
    keep = True  # Back from a checklist (another feature) returns to these results
    query: str

PAGE = 5
MAX_QUERY = 200
MAX_OFFICES = 2
MIN_RELATED_SCORE, RELATIVE_CUTOFF = 30.0, 0.4  # results shown after a confident top hit  # longer text is cut before searching; nobody's service name is longer


@router.action("find", screen=True)
async def find(ctx: Context) -> None:
    _ = ctx._
    ctx.expect(None)
    ctx.say(
        _("Type in your own words what you need (for example «subsidy», «прописка», «lost passport»), "
          "or choose a topic:"),
        [
            [ctx.btn(_("Services by topic 📂"), "cats")],
            [ctx.btn(_("Life situations 🧭"), "sits")],
            ctx.nav_row(),
        ],
    )


@router.action("cats", screen=True)
async def categories(ctx: Context) -> None:
    rows = [
        [ctx.btn(short(cat.title.get(ctx.lang)), "cat", cat.id)]
        for cat in ctx.kb.categories.values()
        if ctx.kb.services_in(cat.id)
    ]
    ctx.say(ctx._("Choose a topic:"), [*rows, ctx.nav_row()])


@router.action("cat", screen=True)
async def category(ctx: Context, category_id: str) -> bool:
    cat = ctx.kb.categories.get(category_id)
    if cat is None:
        return False
    rows = [[ctx.btn(short(s.title.get(ctx.lang)), "svc", s.id)] for s in ctx.kb.services_in(cat.id)]
    ctx.count("topic", cat.id)
    ctx.say(cat.title.get(ctx.lang), [*rows, ctx.nav_row()])
    return True


@router.action("sits", screen=True)
async def situations(ctx: Context) -> None:
    rows = [[ctx.btn(short(s.title.get(ctx.lang)), "sit", s.id)] for s in ctx.kb.situations.values()]
    ctx.say(ctx._("What has happened? Choose a life situation:"), [*rows, ctx.nav_row()])


@router.action("sit", screen=True)
async def situation(ctx: Context, situation_id: str) -> bool:
    sit = ctx.kb.situations.get(situation_id)
    if sit is None:
        return False
    _ = ctx._
    services = [ctx.kb.services[sid] for sid in sit.services if sid in ctx.kb.services]
    ctx.count("situation", sit.id)
    lines = [f"🧭 {sit.title.get(ctx.lang)}", "", sit.summary.get(ctx.lang), "", _("What to do, step by step:")]
    lines += [f"{n}. {s.title.get(ctx.lang)}" for n, s in enumerate(services, 1)]
    rows = [[ctx.btn(short(f"{n}. {s.title.get(ctx.lang)}"), "svc", s.id)] for n, s in enumerate(services, 1)]
    ctx.say("\n".join(lines), [*rows, ctx.nav_row()])
    return True


# --- search ------------------------------------------------------------------------------


@router.text_input("search")
async def search_text(ctx: Context, text: str) -> None:
    query = " ".join(text.split())[:MAX_QUERY]
    if not query:  # an empty message (only spaces): nothing to search for
        await ctx.show("menu")
        return
    small_talk = _small_talk(query)
    if small_talk is not None:
        ctx.say(ctx._(small_talk))
        await ctx.show("menu")
        return
    ctx.put(LastSearch(query=query))
    await ctx.show("results", "0")


GREETINGS = {"привіт", "вітаю", "добрий день", "доброго дня", "добрий вечір", "доброго ранку", "здрастуйте",
             "здравствуйте", "привет", "hello", "hi", "good morning", "good afternoon"}
THANKS = {"дякую", "дякую вам", "щиро дякую", "спасибі", "спасибо", "thanks", "thank you", "ок дякую", "ок, дякую"}


def _small_talk(query: str) -> str | None:
    """A greeting or a thank-you is not a search: answer it like a person would."""
    text = " ".join(query.lower().replace("!", " ").replace(".", " ").replace(",", " ").split())
    if text in GREETINGS:
        return N_("Hello! How can I help? Type what you need or choose below.")
    if text in THANKS:
        return N_("You are welcome! If you need anything else, I am here.")
    return None


@router.action("results", screen=True)
async def results(ctx: Context, page: str = "0") -> bool:
    _ = ctx._
    last = ctx.get(LastSearch)
    query = last.query if last else ""
    if not query or not page.isdigit():
        return False
    if ctx.search is None:
        ctx.say(_("Search is not available right now. Please choose a topic."), [[ctx.btn(_("Services by topic 📂"), "cats")], ctx.nav_row()])
        return True
    page_no = int(page)
    hits = ctx.search.search(query, lang=ctx.lang, limit=PAGE * 3)
    good = ctx.search.is_good(hits)
    if good:  # drop the long tail of weak matches: a short list is easier to read
        hits = [h for h in hits if h.score >= max(MIN_RELATED_SCORE, hits[0].score * RELATIVE_CUTOFF)]
    shown = hits[page_no * PAGE : (page_no + 1) * PAGE]
    rows = [[ctx.btn(short(_hit_label(ctx, h)), "svc" if h.kind == "service" else "sit", _kb_id(h))] for h in shown]
    if len(hits) > (page_no + 1) * PAGE:
        rows.append([ctx.btn(_("More results…"), "more", str(page_no + 1))])
    counted = page_no == 0 and ctx.incoming.kind == "text"  # a new query (not "Back" to its results)
    if counted:
        ctx.count("search", "found" if good else "not_found")
    if good:
        text = _("Here is what I found for «{query}». Choose one:").format(query=query)
    else:
        if counted:
            ctx.count("unanswered", query)
        if page_no == 0:
            best = hits[0] if hits else None
            await store.record_search_miss(ctx.session, query, ctx.lang, best.id if best else None, best.score if best else None)
        text = "\n\n".join(
            filter(
                None,
                [
                    _("I could not find a service that clearly matches «{query}».").format(query=query),
                    _("Perhaps one of these? You can also browse by topic or rephrase in other words.") if shown else "",
                    cnap_contacts(ctx),
                ],
            )
        )
        rows.append([ctx.btn(_("Services by topic 📂"), "cats")])
    ctx.say(text, [*rows, ctx.nav_row()])
    return True


@router.action("more", stateful=True)
async def more(ctx: Context, page: str) -> bool:
    if not page.isdigit():
        return False
    # Replace the current results page on the Back stack, so Back leaves the results.
    return await ctx.show("results", page, replace=True)


def _kb_id(hit) -> str:
    """The knowledge-base id of a hit (situations come as 'situation:<id>')."""
    return hit.id.split(":", 1)[-1]


def _hit_label(ctx: Context, hit) -> str:
    if hit.kind == "situation":
        return "🧭 " + ctx.kb.situations[_kb_id(hit)].title.get(ctx.lang)
    return ctx.kb.services[hit.id].title.get(ctx.lang)


# --- the service card -------------------------------------------------------------------------


def service_card(ctx: Context, svc: Service) -> str:
    _ = ctx._
    lang = ctx.lang
    parts = [f"📄 {svc.title.get(lang)}", svc.summary.get(lang)]
    if svc.more:
        parts.append(svc.more.get(lang))
    parts.append(_("Who can get it:") + "\n" + svc.eligibility.get(lang))
    if svc.documents:
        docs = [_("Documents to bring:")]
        for d in svc.documents:
            line = "• " + d.text.get(lang)
            if d.when:
                line += f" ({d.when.get(lang)})"
            elif d.optional:
                line += " — " + _("if applicable")
            if d.note:
                line += "\n  " + d.note.get(lang)
            docs.append(line)
        parts.append("\n".join(docs))
    parts.append(_("Cost: {cost}").format(cost=svc.cost.text.get(lang)) + "\n" + _("Term: {term}").format(term=svc.term.get(lang)))
    where = [_("Where to apply:"), svc.where.body.get(lang)]
    offices = [ctx.kb.offices[o] for o in svc.where.offices if o in ctx.kb.offices] or [ctx.kb.main_office]
    # Full details for the first two places only: a long list of addresses loses older readers.
    for office in offices[:MAX_OFFICES]:
        where += ["", office_block(ctx.t, office)]
    if offices[MAX_OFFICES:]:
        others = "; ".join(f"{o.name.get(lang)} ({o.phone})" for o in offices[MAX_OFFICES:])
        where += ["", _("Also: {offices}").format(offices=others)]
    parts.append("\n".join(where))
    if svc.online:
        parts.append(_("Online:") + "\n" + "\n".join(f"• {link.title.get(lang)}: {link.url}" for link in svc.online))
    parts.append(_("Legal basis:") + "\n" + "\n".join(legal_basis_lines(svc, ctx.kb, lang)))
    parts.append(verification(svc, ctx.t))  # "checked on" only with the pages read to show for it
    return "\n\n".join(parts)


@router.action("svc", screen=True)
async def service(ctx: Context, service_id: str) -> bool:
    svc = ctx.kb.services.get(service_id) if ctx.kb else None
    if svc is None:
        return False
    _ = ctx._
    rows = []
    if svc.documents:
        rows.append([ctx.btn(_("Start my checklist ✅"), "cl", svc.id)])
    for link in svc.online[:1]:
        rows.append([ctx.url_btn(short("🌐 " + link.title.get(ctx.lang)), link.url)])
    related = [ctx.kb.services[r] for r in svc.related if r in ctx.kb.services][:3]
    ctx.count("service", svc.id)
    rows += [[ctx.btn(short("↪ " + r.title.get(ctx.lang)), "svc", r.id)] for r in related]
    ctx.say(service_card(ctx, svc), [*rows, ctx.nav_row()])
    return True


@router.deeplink("svc")
async def service_link(ctx: Context, service_id: str) -> bool:
    """`/start svc_<id>`: a link or QR code on a CNAP poster that opens a service card."""
    if not ctx.kb or service_id not in ctx.kb.services:
        return False
    shown = len(ctx.replies)
    await ctx.show("menu")
    del ctx.replies[shown:]  # the menu is only the Back target; the person sees the card
    return await ctx.show("svc", service_id)
