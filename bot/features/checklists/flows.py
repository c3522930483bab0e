"""Document lists: tick documents off as you gather them, for your own case.

A card with `paths` asks its one question first (first passport / exchange / lost…); the answer
decides which documents are listed and can be changed later. A document with `when` applies only
in some cases, so it can be marked "not for me". Progress counts only what applies to the person
(`knowledge.checklist`). Buttons carry document and option indexes, not ids: payloads stay short.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.context import Context
from bot.core.feature import MenuEntry
from bot.core.router import Router
from bot.core.ui import office_block, short
from bot.features.checklists import store
from bot.features.checklists.models import Checklist
from bot.i18n import N_
from knowledge.card import offices_of
from knowledge.checklist import applicable, complete, conditional, progress
from knowledge.models import Document, Service

router = Router("checklists")
MENU = (MenuEntry(N_("My document lists ✅"), "mycl", 20),)
MAX_OFFICES = 2  # where to go, on completion: more addresses lose an older reader


@dataclass
class Case:
    """One person's list for one service: their answer to the card's question, ticks and "not for me" marks."""

    svc: Service
    path: str | None
    ticked: set[str]
    skipped: set[str]

    @classmethod
    def of(cls, svc: Service, cl: Checklist) -> Case:
        # An answer the card no longer offers (the knowledge base changed) is asked again.
        path = cl.path if svc.paths and cl.path in svc.paths.ids() else None
        return cls(svc, path, set(cl.ticked or ()), set(cl.not_applicable or ()))

    @property
    def unanswered(self) -> bool:
        return self.svc.paths is not None and self.path is None

    def listed(self) -> list[Document]:
        """The documents of this case, including those marked "not for me"."""
        return applicable(self.svc, self.path)

    def counts(self) -> tuple[int, int]:
        return progress(self.svc, self.path, self.ticked, self.skipped)

    def complete(self) -> bool:
        return not self.unanswered and complete(self.svc, self.path, self.ticked, self.skipped)


def _progress(ctx: Context, case: Case) -> str:
    done, total = case.counts()
    return ctx._("Collected {done} of {total}").format(done=done, total=total)


def _ask(ctx: Context, case: Case, *, edit: bool) -> None:
    """The card's one question; the options are buttons (the current answer marked)."""
    _ = ctx._
    svc, paths = case.svc, case.svc.paths
    assert paths is not None
    text = "\n\n".join([f"✅ {svc.title.get(ctx.lang)}", paths.question.get(ctx.lang),
                        _("Your answer decides which documents you need. You can change it later.")])
    rows = [[ctx.btn(("✔ " if o.id == case.path else "") + short(o.label.get(ctx.lang)), "clp", svc.id, str(n))]
            for n, o in enumerate(paths.options)]
    ctx.say(text, [*rows, [ctx.btn(_("About the service 📄"), "svc", svc.id)], ctx.nav_row()], edit=edit)


def _render(ctx: Context, case: Case, *, edit: bool) -> None:
    _ = ctx._
    svc, lang = case.svc, ctx.lang
    lines = [f"✅ {svc.title.get(lang)}", _("Your document list. Tap a document when you have it.")]
    if svc.paths and case.path:
        answer = next(o.label.get(lang) for o in svc.paths.options if o.id == case.path)
        lines.append(_("Your case: {answer}").format(answer=answer))
    listed = case.listed()
    cases = [f"• {d.text.get(lang)} — {d.when.get(lang)}" for d in listed if d.when is not None]
    if cases:
        lines += ["", _("Needed only in some cases (if not in yours, press «Not for me»):"), *cases]
    lines += ["", _progress(ctx, case)]

    rows = []
    on_path = {d.id for d in listed}
    for n, d in enumerate(svc.documents):
        if d.id not in on_path:
            continue
        text = d.text.get(lang)
        if d.id in case.skipped and conditional(d, case.path):
            label = "➖ " + _("{document} — does not apply").format(document=short(text, 40))
            rows.append([ctx.btn(label, "skip", svc.id, str(n))])
            continue
        mark = "☑" if d.id in case.ticked else "☐"
        label = text + " (" + _("optional") + ")" if d.optional else text
        rows.append([ctx.btn(short(f"{mark} {label}", 64), "tick", svc.id, str(n))])
        if conditional(d, case.path) and d.id not in case.ticked:
            rows.append([ctx.btn(_("↳ Not for me"), "skip", svc.id, str(n))])
    if svc.paths:
        rows.append([ctx.btn(_("Change my answer 🔁"), "clq", svc.id)])
    rows.append([ctx.btn(_("About the service 📄"), "svc", svc.id)])
    rows.append(ctx.nav_row())
    ctx.say("\n".join(lines), rows, edit=edit)


def _show(ctx: Context, case: Case, *, edit: bool) -> None:
    if case.unanswered:
        _ask(ctx, case, edit=edit)
    else:
        _render(ctx, case, edit=edit)


def _where_to_go(ctx: Context, svc: Service) -> str:
    _ = ctx._
    return "\n\n".join([
        _("All the documents you need are ready 🎉 Where to go next:"),
        svc.where.body.get(ctx.lang),
        *(office_block(ctx.t, o) for o in offices_of(svc, ctx.kb)[:MAX_OFFICES]),
    ])


async def _save(ctx: Context, cl: Checklist, case: Case) -> None:
    """Store the list; when it has just become complete, say where to go next."""
    was_complete = cl.completed_at is not None
    now_complete = case.complete()
    await store.save(ctx.session, cl, ticked=case.ticked, not_applicable=case.skipped, path=case.path,
                     complete=now_complete)
    if now_complete and not was_complete:
        ctx.count("checklist_completed", case.svc.id)
        ctx.say(_where_to_go(ctx, case.svc))


async def _load(ctx: Context, service_id: str) -> tuple[Checklist, Case] | None:
    svc = ctx.kb.services.get(service_id)
    if svc is None or not svc.documents:
        return None
    if await store.get_checklist(ctx.session, ctx.user.id, svc.id) is None:
        ctx.count("checklist_started", svc.id)
    cl = await store.start_checklist(ctx.session, ctx.user.id, svc.id)
    return cl, Case.of(svc, cl)


def _document(case: Case, index: str) -> Document | None:
    """The document a button's index names, if it is listed for this case."""
    if case.unanswered or not index.isdigit() or int(index) >= len(case.svc.documents):
        return None
    doc = case.svc.documents[int(index)]
    return doc if doc.id in {d.id for d in case.listed()} else None


@router.action("cl", screen=True)
async def open_checklist(ctx: Context, service_id: str) -> bool:
    loaded = await _load(ctx, service_id)
    if loaded is None:
        return False
    cl, case = loaded
    _show(ctx, case, edit=False)
    if case.complete() != (cl.completed_at is not None):  # the knowledge base changed since
        await _save(ctx, cl, case)
    return True


@router.action("clq", stateful=True)
async def change_answer(ctx: Context, service_id: str) -> bool:
    loaded = await _load(ctx, service_id)
    if loaded is None or loaded[1].svc.paths is None:
        return False
    _ask(ctx, loaded[1], edit=True)
    return True


@router.action("clp", stateful=True)
async def choose_answer(ctx: Context, service_id: str, index: str) -> bool:
    loaded = await _load(ctx, service_id)
    if loaded is None:
        return False
    cl, case = loaded
    options = case.svc.paths.options if case.svc.paths else []
    if not index.isdigit() or int(index) >= len(options):
        return False
    case.path = options[int(index)].id
    _render(ctx, case, edit=True)
    await _save(ctx, cl, case)
    return True


async def _toggle(ctx: Context, service_id: str, index: str, *, skip: bool) -> bool:
    """Tick a document (or untick it); or mark one that applies only in some cases "not for me" (or take it back)."""
    loaded = await _load(ctx, service_id)
    doc = _document(loaded[1], index) if loaded else None
    if loaded is None or doc is None or (skip and not conditional(doc, loaded[1].path)):
        return False
    cl, case = loaded
    marks, other = (case.skipped, case.ticked) if skip else (case.ticked, case.skipped)
    marks.symmetric_difference_update({doc.id})
    other.discard(doc.id)  # a document you have applies to you; one that is not for you is not ticked
    _render(ctx, case, edit=True)
    await _save(ctx, cl, case)
    return True


@router.action("tick", stateful=True)
async def tick(ctx: Context, service_id: str, index: str) -> bool:
    return await _toggle(ctx, service_id, index, skip=False)


@router.action("skip", stateful=True)
async def not_for_me(ctx: Context, service_id: str, index: str) -> bool:
    return await _toggle(ctx, service_id, index, skip=True)


@router.action("mycl", screen=True)
async def my_checklists(ctx: Context) -> None:
    _ = ctx._
    lists = [(cl, ctx.kb.services.get(cl.service_id)) for cl in await store.list_checklists(ctx.session, ctx.user.id)]
    items = [(cl, Case.of(svc, cl)) for cl, svc in lists if svc is not None and svc.documents]
    if not items:
        ctx.say(
            _("You have no document lists yet. Find a service and press «Document list» on its page."),
            [[ctx.btn(_("Find a service 🔎"), "find")], ctx.nav_row()],
        )
        return
    unfinished = sum(1 for cl, _case in items if cl.completed_at is None)
    lines = [_("Your document lists:")]
    rows = []
    for cl, case in items:
        title = case.svc.title.get(ctx.lang)
        status = _("ready") if cl.completed_at else _progress(ctx, case)
        lines.append(f"• {title} — {status}")
        rows.append([ctx.btn(short(("☑ " if cl.completed_at else "☐ ") + title), "cl", case.svc.id)])
    if unfinished:
        lines += ["", ctx.ngettext("{n} document list is not finished yet.", "{n} document lists are not finished yet.",
                                   unfinished).format(n=unfinished)]
    ctx.say("\n".join(lines), [*rows, ctx.nav_row()])


@router.command("checklists", "mychecklists")
async def cmd_checklists(ctx: Context) -> None:
    await ctx.show("mycl")
