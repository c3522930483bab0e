"""Interactive document checklists: tick documents off as you gather them."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.feature import MenuEntry
from bot.core.router import Router
from bot.core.ui import office_block, short
from bot.features.checklists import store
from bot.i18n import N_
from knowledge.checklist import applicable, complete
from knowledge.models import Service

router = Router("checklists")
MENU = (MenuEntry(N_("My checklists ✅"), "mycl", 20),)


# One list for every case until the screen asks the card's paths question (path None: all documents).
def _progress(ctx: Context, svc: Service, ticked: set[str]) -> str:
    listed = applicable(svc, None)
    done = sum(1 for d in listed if d.id in ticked)
    return ctx._("Collected {done} of {total}").format(done=done, total=len(listed))


def _complete(svc: Service, ticked: set[str]) -> bool:
    return complete(svc, None, ticked)


async def _render(ctx: Context, svc: Service, ticked: set[str], *, edit: bool) -> None:
    _ = ctx._
    lines = [
        f"✅ {svc.title.get(ctx.lang)}",
        _("Your document checklist. Tap a document when you have it."),
        _progress(ctx, svc, ticked),
    ]
    rows = []
    for n, d in enumerate(svc.documents):
        mark = "☑" if d.id in ticked else "☐"
        label = d.text.get(ctx.lang)
        if d.when:
            label += f" ({d.when.get(ctx.lang)})"
        rows.append([ctx.btn(short(f"{mark} {label}", 64), "tick", svc.id, str(n))])
    rows.append([ctx.btn(_("About the service 📄"), "svc", svc.id)])
    rows.append(ctx.nav_row())
    ctx.say("\n".join(lines), rows, edit=edit)


@router.action("cl", screen=True)
async def open_checklist(ctx: Context, service_id: str) -> bool:
    svc = ctx.kb.services.get(service_id)
    if svc is None or not svc.documents:
        return False
    if await store.get_checklist(ctx.session, ctx.user.id, svc.id) is None:
        ctx.count("checklist_started", svc.id)
    cl = await store.start_checklist(ctx.session, ctx.user.id, svc.id)
    await _render(ctx, svc, set(cl.ticked), edit=False)
    return True


@router.action("tick", stateful=True)
async def tick(ctx: Context, service_id: str, index: str) -> bool:
    svc = ctx.kb.services.get(service_id)
    if svc is None or not index.isdigit() or int(index) >= len(svc.documents):
        return False
    cl = await store.start_checklist(ctx.session, ctx.user.id, svc.id)
    ticked = set(cl.ticked)
    doc_id = svc.documents[int(index)].id
    ticked.symmetric_difference_update({doc_id})
    was_complete = cl.completed_at is not None
    now_complete = _complete(svc, ticked)
    await store.set_ticked(ctx.session, cl, sorted(ticked), now_complete)
    await _render(ctx, svc, ticked, edit=True)
    if now_complete and not was_complete:
        ctx.count("checklist_completed", svc.id)
        _ = ctx._
        offices = [ctx.kb.offices[o] for o in svc.where.offices if o in ctx.kb.offices] or [ctx.kb.main_office]
        text = "\n\n".join(
            [
                _("All the documents you need are ready 🎉 Where to go next:"),
                svc.where.body.get(ctx.lang),
                *(office_block(ctx.t, o) for o in offices[:2]),
            ]
        )
        ctx.say(text)
    return True


@router.action("mycl", screen=True)
async def my_checklists(ctx: Context) -> None:
    _ = ctx._
    items = [(cl, ctx.kb.services.get(cl.service_id)) for cl in await store.list_checklists(ctx.session, ctx.user.id)]
    items = [(cl, svc) for cl, svc in items if svc is not None]
    if not items:
        ctx.say(
            _("You have no checklists yet. Find a service and press «Start my checklist» on its page."),
            [[ctx.btn(_("Find a service 🔎"), "find")], ctx.nav_row()],
        )
        return
    unfinished = [(cl, svc) for cl, svc in items if cl.completed_at is None]
    lines = [_("Your checklists:")]
    rows = []
    for cl, svc in items:
        status = _("ready") if cl.completed_at else _progress(ctx, svc, set(cl.ticked))
        lines.append(f"• {svc.title.get(ctx.lang)} — {status}")
        rows.append([ctx.btn(short(("☑ " if cl.completed_at else "☐ ") + svc.title.get(ctx.lang)), "cl", svc.id)])
    if unfinished:
        lines.append("")
        lines.append(
            ctx.ngettext("{n} checklist is not finished yet.", "{n} checklists are not finished yet.", len(unfinished)).format(
                n=len(unfinished)
            )
        )
    ctx.say("\n".join(lines), [*rows, ctx.nav_row()])


@router.command("checklists", "mychecklists")
async def cmd_checklists(ctx: Context) -> None:
    await ctx.show("mycl")
