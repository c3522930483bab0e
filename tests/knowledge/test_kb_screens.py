"""What a citizen reads and ticks: the first screen, the details, checklists that can be finished, `kb stale`."""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys

import pytest

from bot.i18n import Translator
from knowledge.card import details, first_screen
from knowledge.checklist import applicable, complete, conditional, progress, required
from knowledge.loader import load_kb
from knowledge.stale import due, report
from tests.kb_support import ROOT, TEST_KB, TODAY, edit, good_kb

UK, EN = Translator("uk"), Translator("en")


def test_first_screen_lists_documents_where_cost_and_term(test_kb):
    text = first_screen(test_kb.services["id-card"], test_kb, "uk", UK)
    assert text.startswith("Оформлення паспорта громадянина України у формі ID-картки\n\nПаспорт у формі картки.")
    assert "Документи:\n• Свідоцтво про народження — якщо стосується\n" in text
    assert "• Свідоцтво про шлюб — якщо стосується" in text and "• Квитанція про сплату збору — за бажанням" in text
    assert "Куди звернутися: ЦНАП тестової громади, вул. Тестова, 1" in text  # no office on the card: the main one
    assert "Вартість: Вперше — безоплатно. Обмін — 49,92\u00a0грн." in text
    assert "Строк: До 20 робочих днів." in text
    assert "Громадяни з 14 років" not in text  # eligibility is behind "Details"


def test_first_screen_for_one_case_lists_only_its_documents(test_kb):
    text = first_screen(test_kb.services["id-card"], test_kb, "en", EN, path_id="first")
    assert "• Birth certificate\n" in text and "exchanging" not in text and "Fee receipt" not in text
    assert "• Marriage certificate — if it applies to you" in text


def test_details_explain_documents_acts_and_sources(test_kb):
    text = details(test_kb.services["id-card"], test_kb, "uk", UK)
    assert text.startswith("Хто може отримати:\nГромадяни з 14 років.")
    assert "• Свідоцтво про народження — лише для: Вперше, з 14 років" in text
    assert "• Свідоцтво про шлюб — якщо змінили прізвище. Або інший документ про зміну прізвища." in text
    assert "• Закон України «Про Єдиний державний демографічний реєстр» від 20.11.2012 № 5492-VI, ст. 21" in text
    assert text.endswith("Перевірено 30 листопада 2026\u202fр. за: ДМС: Оформлення паспорта у формі ID-картки "
                         "(тестова сторінка) (прочитано 30 листопада 2026\u202fр.)")


def test_checked_is_shown_only_when_the_pages_read_back_it(test_kb):
    card = test_kb.services["id-card"]
    thin = card.model_copy(update={"evidence": [card.evidence[0].model_copy(update={"supports": ["documents"]})]})
    text = details(thin, test_kb, "uk", UK)
    assert "Перевірено" not in text
    assert "Прочитані джерела:\n• ДМС: Оформлення паспорта" in text
    assert text.endswith("Ці відомості ще не звірено з офіційним джерелом — уточніть у ЦНАП.")
    bare = details(test_kb.services["housing-subsidy"], test_kb, "en", EN)
    assert bare.endswith("This information has not yet been checked against an official source — please check with the CNAP.")
    assert "Sources read" not in bare and "Checked on" not in bare


def test_other_offices_are_listed_in_the_details(test_kb):
    svc = test_kb.services["housing-subsidy"]
    assert "Соцзахист" not in first_screen(svc, test_kb, "uk", UK)
    assert "Також можна звернутися:\n• Соцзахист, вул. Тестова, 3" in details(svc, test_kb, "uk", UK)


def test_without_a_translator_labels_stay_english():
    kb = load_kb(TEST_KB)
    assert "Documents:" in first_screen(kb.services["id-card"], kb, "uk")


def test_the_card_module_does_not_import_the_bot():
    code = "import sys, knowledge.card, knowledge.checklist, knowledge.check; print(sorted(m for m in sys.modules if m.split('.')[0] == 'bot'))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


# --- checklists ---------------------------------------------------------------------------------


def test_progress_counts_what_this_case_needs(test_kb):
    card = test_kb.services["id-card"]
    assert [d.id for d in applicable(card, "exchange")] == ["old-passport", "name-change", "fee-receipt"]
    assert [d.id for d in required(card, "exchange")] == ["old-passport", "name-change"]
    assert progress(card, "exchange", set()) == (0, 2)
    assert progress(card, "exchange", {"old-passport"}) == (1, 2)
    assert not complete(card, "exchange", {"old-passport"})
    assert complete(card, "exchange", {"old-passport"}, not_applicable={"name-change"})  # "не стосується мене"
    assert progress(card, "exchange", {"old-passport"}, {"old-passport"}) == (1, 2)  # needed in every case
    assert progress(card, "first", {"birth-cert", "old-passport"}) == (1, 2)  # a tick from the other case
    with pytest.raises(ValueError, match="no path option 'lost'"):
        applicable(card, "lost")


def test_without_a_chosen_case_every_document_shows_and_case_bound_ones_may_be_skipped(test_kb):
    card = test_kb.services["id-card"]
    assert len(applicable(card, None)) == 4
    assert conditional(card.documents[0], None) and not conditional(card.documents[0], "first")
    assert complete(card, None, {"birth-cert"}, {"old-passport", "name-change"})


@pytest.mark.parametrize("where", ["bundled", "test"])
def test_every_checklist_can_be_finished_on_every_path(where, real_kb, test_kb):
    kb = real_kb if where == "bundled" else test_kb
    walked = 0
    for card in kb.services.values():
        if not card.documents:
            continue
        for path_id in card.path_ids():
            listed = applicable(card, path_id)
            assert listed, f"{card.id}: path {path_id} lists no document"
            skip = {d.id for d in listed if conditional(d, path_id)}
            ticked = {d.id for d in required(card, path_id, skip)}
            assert complete(card, path_id, ticked, skip), (card.id, path_id)
            assert progress(card, path_id, ticked, skip)[0] == len(ticked)
            everything = {d.id for d in listed}
            assert complete(card, path_id, everything), (card.id, path_id)  # ticking all works too
            walked += 1
    assert walked == sum(len(c.path_ids()) for c in kb.services.values() if c.documents)
    assert walked >= (111 if where == "bundled" else 3)


# --- kb stale -----------------------------------------------------------------------------------


def test_stale_lists_what_expires_soon_and_what_has_no_evidence(tmp_path):
    data = good_kb(tmp_path)
    edit(data, "services/birth-registration.yaml", lambda c: c["term"].update(valid_until="2026-12-15"))
    kb = load_kb(data)
    out = io.StringIO()
    assert report(kb, TODAY, 60, out) == 0
    assert out.getvalue() == (
        "Expired (before 2026-11-30):\n"
        "  nothing\n"
        "Expires within 60 days:\n"
        "  2026-12-15  text services/birth-registration.yaml: term — used by birth-registration\n"
        "  2026-12-31  act law-budget-2026 — used by id-card\n"
        "  2026-12-31  amount fee:id-card-exchange — used by id-card\n"
        "No evidence at all (4):\n"
        "  services/birth-registration.yaml\n"
        "  services/housing-subsidy.yaml\n"
        "  amounts: base subsistence-able-bodied\n"
        "  amounts: fee:id-card-exchange\n"
    )
    assert due(kb, TODAY, 10) == []
    out = io.StringIO()
    assert report(kb, dt.date(2027, 1, 2), 60, out) == 1  # something expired: non-zero for a cron job
    assert "Expired (before 2027-01-02):\n  2026-12-15  text services/birth-registration.yaml: term" in out.getvalue()


def test_stale_command_runs(tmp_path):
    data = good_kb(tmp_path)
    proc = subprocess.run([sys.executable, "run_bot.py", "kb", "stale", "--days", "60", "--today", "2026-11-30"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "BOT_KB_DIR": str(data)})
    assert proc.returncode == 0, proc.stderr
    assert "2026-12-31  amount fee:id-card-exchange — used by id-card" in proc.stdout
