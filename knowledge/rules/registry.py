"""Rules 2 and 3: the required services are present; legal acts are cited consistently."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from knowledge.acts import ID_PREFIX, expected_code, expected_id, fold, link_code
from knowledge.loader import KnowledgeBase, required_ids
from knowledge.rules import Context, Problem


def required_services(kb: KnowledgeBase, ctx: Context) -> Iterator[Problem]:
    if ctx.required_csv is None or not ctx.required_csv.exists():
        return
    for sid, category in required_ids(ctx.required_csv):
        if sid not in kb.services:
            yield Problem(2, "", f"required service {sid!r} ({category}) is missing: add services/{sid}.yaml")
        elif kb.services[sid].category != category:
            yield Problem(2, kb.files[sid], f"is {kb.services[sid].category!r}, the required list says {category!r}",
                          field="category")


def legal_acts(kb: KnowledgeBase, ctx: Context) -> Iterator[Problem]:
    used = {ref.act for card in kb.authored.values() for ref in card.legal_basis}
    used |= {r.act for r in [r for _, r in kb.sourced_records()]}
    same: dict[tuple, list[str]] = defaultdict(list)
    for act in kb.acts.values():
        where = f"{kb.registry_files.get(act.id, 'acts.yaml')}: record {act.id}"
        if not act.id.startswith(ID_PREFIX[act.kind]):
            yield Problem(3, where, f"the id of a {act.kind} starts with {ID_PREFIX[act.kind]!r}", field="id")
        elif (want := expected_id(act)) and act.id != want:
            yield Problem(3, where, f"by its number and date this act's id is {want!r}; "
                          "if the number or date is wrong, fix them", field="id")
        code = expected_code(act)
        if act.url and code and (found := link_code(act.url)) is not None and fold(found) != fold(code):
            yield Problem(3, where, f"links to act {found!r} on zakon.rada.gov.ua, but {act.number} of "
                          f"{act.date:%d.%m.%Y} is https://zakon.rada.gov.ua/laws/show/{code}", field="url")
        if act.number:
            # Laws and codes are numbered once; other acts restart their numbers every year.
            year = act.date.year if act.date and act.kind not in ("law", "code") else None
            same[(act.kind, fold(act.number), year)].append(act.id)
        if act.id not in used:
            yield Problem(3, where, "no card or amount cites this act; remove it or cite it", warning=True)
    for (kind, number, _), ids in same.items():
        if len(ids) > 1:
            yield Problem(3, "acts.yaml", f"{', '.join(ids)} are the same {kind} № {number}: keep one id, one date")
