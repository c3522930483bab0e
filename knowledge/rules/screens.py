"""Rules 13 and 14: the first screen fits a phone; every checklist can be finished on every path."""

from __future__ import annotations

import statistics
from collections.abc import Iterator

from knowledge.card import first_screen
from knowledge.checklist import applicable, complete, conditional, required
from knowledge.loader import KnowledgeBase
from knowledge.rules import Context, Problem

MAX_MEDIAN_FIRST_SCREEN = 700
SHOW_LONGEST = 5


def first_screen_lengths(kb: KnowledgeBase, ctx: Context) -> dict[str, int]:
    return {sid: len(first_screen(svc, kb, "uk", ctx.tr)) for sid, svc in kb.services.items()}


def first_screen_budget(kb: KnowledgeBase, ctx: Context) -> Iterator[Problem]:
    lengths = first_screen_lengths(kb, ctx)
    if not lengths:
        return
    median = statistics.median(lengths.values())
    if median > MAX_MEDIAN_FIRST_SCREEN:
        longest = sorted(lengths.items(), key=lambda kv: -kv[1])[:SHOW_LONGEST]
        yield Problem(13, "", f"the median first screen is {median:.0f} characters (≤ {MAX_MEDIAN_FIRST_SCREEN}); "
                      "the longest: " + ", ".join(f"{sid} {n}" for sid, n in longest)
                      + " — shorten summaries, checklist lines and cost/term texts")


def checklist_completion(kb: KnowledgeBase, ctx: Context) -> Iterator[Problem]:
    for sid, card in kb.authored.items():
        where = kb.files[sid]
        if card.paths and not card.documents:
            yield Problem(14, where, "a paths: question without documents; remove it or add the documents",
                          field="paths")
        if not card.documents:
            continue
        for path_id in card.path_ids():
            label = f"path {path_id!r}" if path_id else "the checklist"
            if not applicable(card, path_id):
                yield Problem(14, where, f"{label} lists no document; add one or remove the path", field="documents")
                continue
            na = {d.id for d in applicable(card, path_id) if conditional(d, path_id)}
            ticked = {d.id for d in required(card, path_id, na)}
            if not complete(card, path_id, ticked, na):
                yield Problem(14, where, f"{label} cannot reach 100 %", field="documents")
