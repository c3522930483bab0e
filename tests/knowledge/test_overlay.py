"""Community synonyms (community-synonyms.yaml): validated by kb check, applied on load and in a running process."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import shutil

from bot.core.live_search import LiveSearch
from knowledge import overlay
from knowledge.check import collect
from knowledge.loader import load_kb
from knowledge.search import SearchEngine
from tests.conftest import TEST_KB_DIR

QUERY = "платіжка за світло завелика"
DAY = dt.date(2026, 12, 1)


def copy_kb(tmp_path):
    target = tmp_path / "kb"
    shutil.copytree(TEST_KB_DIR, target)
    return target


def test_a_linked_query_becomes_a_synonym_and_the_search_finds_it(tmp_path):
    kb_dir = copy_kb(tmp_path)
    before = SearchEngine(load_kb(kb_dir))
    assert not before.is_good(before.search(QUERY, lang="uk"))
    overlay.add_link(kb_dir, QUERY, "housing-subsidy", DAY)
    overlay.add_link(kb_dir, QUERY.upper(), "housing-subsidy", DAY)  # the same query again: once
    kb = load_kb(kb_dir)
    assert kb.services["housing-subsidy"].synonyms.uk.count(QUERY) == 1
    after = SearchEngine(kb)
    hits = after.search(QUERY, lang="uk")
    assert after.is_good(hits) and hits[0].id == "housing-subsidy"
    assert "Added by" not in (kb_dir / overlay.FILE).read_text(encoding="utf-8")  # no person in the file


def test_kb_check_reports_a_bad_overlay(tmp_path):
    kb_dir = copy_kb(tmp_path)
    (kb_dir / overlay.FILE).write_text("synonyms:\n  - {query: про щось, service: no-such-service}\n"
                                       "  - {query: x, service: id-card}\n", encoding="utf-8")
    problems, _kb = collect(kb_dir, lenient=True)
    text = "\n".join(str(p) for p in problems)
    assert "community-synonyms.yaml: field synonyms.1.query" in text
    (kb_dir / overlay.FILE).write_text("synonyms:\n  - {query: про щось, service: no-such-service}\n", encoding="utf-8")
    problems, _kb = collect(kb_dir, lenient=True)
    assert any("community-synonyms.yaml: synonyms.0: unknown service 'no-such-service'" in str(p) for p in problems)


def test_not_ours_and_language_guess(tmp_path):
    kb_dir = copy_kb(tmp_path)
    overlay.add_not_ours(kb_dir, "курс долара", DAY)
    overlay.add_link(kb_dir, "где сделать паспорт", "id-card", DAY)
    overlay.add_link(kb_dir, "id card", "id-card", DAY)
    read = overlay.read(kb_dir)
    assert read.handled() == {"курс долара", "где сделать паспорт", "id card"}
    assert [link.lang for link in read.synonyms] == ["ru", "en"]


async def test_another_process_picks_the_change_up_on_its_next_search(tmp_path):
    kb_dir = copy_kb(tmp_path)
    kb = load_kb(kb_dir)
    live = LiveSearch(SearchEngine(kb), kb, kb_dir, SearchEngine)
    assert not live.is_good(live.search(QUERY, lang="uk"))
    overlay.add_link(kb_dir, QUERY, "housing-subsidy", DAY)  # written by the console in another process
    os.utime(kb_dir / overlay.FILE, ns=(1, 2))  # a modification time that surely differs from before
    live.search(QUERY, lang="uk")  # notices, rebuilds in a thread meanwhile
    for _n in range(200):
        if live._task is None:
            break
        await asyncio.sleep(0.05)
    hits = live.search(QUERY, lang="uk")
    assert live.is_good(hits) and hits[0].id == "housing-subsidy"
