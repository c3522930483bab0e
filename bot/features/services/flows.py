"""Finding a service by browsing: the Find screen, topics and life situations.

The feature's other flows register on the same router: free text in `search.py`, the service
card in `card.py`.
"""

from __future__ import annotations

from bot.core.context import Context
from bot.core.feature import MenuEntry
from bot.core.router import Router
from bot.core.ui import short
from bot.i18n import N_

router = Router("services")
MENU = (MenuEntry(N_("Find a service 🔎"), "find", 10),)


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
