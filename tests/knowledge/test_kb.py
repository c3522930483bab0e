"""The knowledge base: the bundled content loads and keeps every rule; broken files are reported clearly."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys

import pytest
import yaml

from bot.i18n import Translator
from knowledge.acts import expected_code, fold, link_code
from knowledge.amounts import placeholders
from knowledge.check import REQUIRED_CSV, collect, collect_problems
from knowledge.loader import DATA_DIR, KnowledgeBaseError, load_kb, required_ids
from knowledge.rules import Context
from knowledge.rules.screens import MAX_MEDIAN_FIRST_SCREEN, first_screen_lengths
from knowledge.texts import iter_texts
from tests.kb_support import ROOT, TEST_KB, TODAY, edit, good_kb

SHARED_CSV = ROOT.parent / "shared" / "kb" / "required-services.csv"
LIFE_SITUATIONS = {"child-born", "moving-house", "lost-job", "displaced-by-war", "relative-died",
                   "elderly-parent-care", "starting-business"}


@pytest.fixture(scope="module")
def bundled():
    return collect(today=TODAY, tr=Translator("uk"))


def test_bundled_kb_passes_every_rule(bundled):
    found, kb = bundled
    assert [str(p) for p in found] == []  # warnings too: no unused act or amount, no stray record
    assert LIFE_SITUATIONS <= set(kb.situations)
    assert kb.main_office.id in kb.offices
    # One registry file each: the writers' side files were merged into acts.yaml and amounts.yaml.
    assert set(kb.registry_files.values()) == {"acts.yaml", "amounts.yaml"}
    assert not [*DATA_DIR.glob("acts-*.yaml"), *DATA_DIR.glob("amounts-*.yaml")]


def test_bundled_kb_has_every_required_service(bundled):
    found, kb = bundled
    assert [str(p) for p in found if p.rule == 2] == []
    required = required_ids(REQUIRED_CSV)
    assert len(required) == 111 and {sid for sid, _ in required} <= set(kb.services)


def test_bundled_kb_first_screens_fit_the_budget(bundled):
    found, kb = bundled
    assert [str(p) for p in found if p.rule == 13] == []
    lengths = first_screen_lengths(kb, Context(today=TODAY, tr=Translator("uk")))
    assert len(lengths) == len(kb.services) and statistics.median(lengths.values()) <= MAX_MEDIAN_FIRST_SCREEN


def test_bundled_registries_are_consistent(bundled):
    """One act per number and date, links that match their act, every figure sourced and in force today."""
    _, kb = bundled
    cited = {ref.act for card in kb.authored.values() for ref in card.legal_basis}
    sourced = {rec.act for _, rec in kb.sourced_records()}
    assert set(kb.acts) == cited | sourced  # nothing unused, nothing missing
    seen: dict[tuple, str] = {}
    for act in kb.acts.values():
        if act.number:
            key = (act.kind, fold(act.number), act.date)
            assert key not in seen, f"{act.id} and {seen[key]} are the same act"
            seen[key] = act.id
        code, found = expected_code(act), link_code(act.url or "")
        if code and found:
            assert fold(found) == fold(code), f"{act.id}: {act.url} is not {code}"
    used = {p for card in kb.authored.values() for _, text in iter_texts(card)
            for lang in ("uk", "en") for p in placeholders(getattr(text, lang))}
    assert used == set(kb.amount_records)
    for rid, rec in kb.sourced_records():
        assert rec.evidence, f"{rid}: no page read backs this figure"
        assert rec.act in kb.acts
    for aid, amount in kb.amounts.items():
        assert not amount.period.expired(TODAY) and not amount.period.not_started(TODAY), aid


@pytest.mark.skipif(not SHARED_CSV.exists(), reason="../shared is not beside this checkout")
def test_bundled_required_list_matches_the_shared_one():
    assert REQUIRED_CSV.read_text(encoding="utf-8") == SHARED_CSV.read_text(encoding="utf-8")


def test_every_service_says_where_to_go_and_on_what_basis(real_kb):
    for svc in real_kb.services.values():
        assert svc.legal_basis and all(ref.act in real_kb.acts for ref in svc.legal_basis), svc.id
        assert svc.where.offices or svc.online, f"{svc.id}: neither an office nor an online route"
        assert svc.checked is None or svc.evidence, f"{svc.id}: checked without evidence"


def test_kb_check_command_passes_on_the_shipped_data():
    """CI runs `kb check` on the bundled knowledge base: no problem of any rule."""
    env = {k: v for k, v in os.environ.items() if k != "BOT_KB_DIR"}
    proc = subprocess.run([sys.executable, "run_bot.py", "kb", "check", "--today", TODAY.isoformat()], cwd=ROOT,
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr
    assert "OK: no problems found." in proc.stdout and "problem(s):" not in proc.stdout


def test_the_test_kb_loads_and_fills_amounts_per_language(test_kb):
    kb = test_kb
    card = kb.services["id-card"]
    assert card.cost.text.uk == "Вперше — безоплатно. Обмін — 49,92\u00a0грн."
    assert card.cost.text.en == "First one is free. Exchange: UAH\u00a049.92."
    assert "{fee:id-card-exchange}" in kb.authored["id-card"].cost.text.uk  # as written, for the checks
    window = kb.validity["id-card"].period
    assert (window.valid_from, window.valid_until) == (TODAY.replace(month=1, day=1), TODAY.replace(month=12, day=31))


def test_registries_fall_back_to_the_national_lists(test_kb):
    kb = test_kb
    assert not (TEST_KB / "domains.yaml").exists() and "zakon.rada.gov.ua" in kb.domains.official
    assert "ЦНАП" in kb.abbreviations


def _broken_copy(tmp_path):
    data = good_kb(tmp_path)
    svc = yaml.safe_load((data / "services" / "id-card.yaml").read_text(encoding="utf-8"))
    del svc["title"]["en"]
    svc["online"] = [{"title": {"uk": "Дія", "en": "Diia"}, "url": "diia.gov.ua/no-scheme"}]
    svc["where"]["offices"] = ["no-such-office"]
    svc["related"] = ["no-such-service"]
    svc["legal_basis"].append({"act": "law-0000-ix"})
    (data / "services" / "id-card.yaml").write_text(yaml.safe_dump(svc, allow_unicode=True), encoding="utf-8")
    dup = yaml.safe_load((data / "services" / "birth-registration.yaml").read_text(encoding="utf-8"))
    dup["summary"]["en"] = dup["summary"]["uk"]  # "translated" by copying
    dup["cost"]["text"]["uk"] = "Збір — {fee:no-such-fee}."
    (data / "services" / "birth-registration.yaml").write_text(yaml.safe_dump(dup, allow_unicode=True), encoding="utf-8")
    (data / "services" / "copy.yaml").write_text(yaml.safe_dump(dup, allow_unicode=True), encoding="utf-8")
    (data / "services" / "broken.yaml").write_text("id: [unclosed", encoding="utf-8")
    (data / "required.csv").write_text("id,category\nforeign-passport,administrative\n", encoding="utf-8")
    return data


def test_broken_files_are_reported_with_file_record_and_field(tmp_path):
    data = _broken_copy(tmp_path)
    with pytest.raises(KnowledgeBaseError) as err:
        load_kb(data)
    text = "\n".join(err.value.problems)
    assert "services/id-card.yaml: field title.en: Field required" in text
    assert "services/id-card.yaml: field online.0.url" in text and "well-formed" in text
    assert "services/broken.yaml: cannot read YAML" in text
    assert "services/copy.yaml: id birth-registration is already used by services/birth-registration.yaml" in text
    assert "services/birth-registration.yaml: field cost.text.uk: unknown amount 'fee:no-such-fee'" in text
    assert "services/birth-registration.yaml: field cost.text: uk and en must use the same placeholders" in text
    # Bad records are skipped in lenient mode, so the rest of the bot still works.
    kb = load_kb(data, strict=False)
    assert "housing-subsidy" in kb.services and "id-card" not in kb.services

    found, _ = collect_problems(data, data / "required.csv", today=TODAY)
    joined = "\n".join(found)
    assert "English text is a copy of the Ukrainian" in joined and "summary" in joined
    assert "required service 'foreign-passport' (administrative) is missing" in joined


def test_kb_check_exits_non_zero_with_a_readable_report(tmp_path):
    data = _broken_copy(tmp_path)
    env = {**os.environ, "BOT_KB_DIR": str(data)}
    proc = subprocess.run([sys.executable, "run_bot.py", "kb", "check", "--required", str(data / "required.csv")],
                          cwd=ROOT, capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 1
    assert "problem(s):" in proc.stdout and "  - services/id-card.yaml: field title.en" in proc.stdout
    assert "By rule: 1 schema and references:" in proc.stdout


def test_cross_references_are_checked(tmp_path):
    data = good_kb(tmp_path)
    edit(data, "situations.yaml", lambda s: s["situations"][0]["services"].append("ghost-service"))
    edit(data, "services/id-card.yaml", lambda c: c["legal_basis"].append({"act": "law-0000-ix"}))
    edit(data, "amounts.yaml", lambda a: a["amounts"]["fee:id-card-exchange"].update(base="no-such-base"))
    with pytest.raises(KnowledgeBaseError) as err:
        load_kb(data)
    text = "\n".join(err.value.problems)
    assert "record child-born: field services: unknown service 'ghost-service'" in text
    assert "services/id-card.yaml: field legal_basis.2.act: unknown act 'law-0000-ix'; add it to acts.yaml" in text
    assert "amounts.yaml: record fee:id-card-exchange: field base: unknown base 'no-such-base'" in text


def test_writers_side_files_merge_and_clash_is_reported(tmp_path):
    data = good_kb(tmp_path)
    same = {"id": "law-2398-vi", "kind": "law", "number": "2398-VI", "date": "2010-07-01",
            "title": {"uk": "Закон України «Про державну реєстрацію актів цивільного стану»",
                      "en": "Law of Ukraine 'On State Registration of Civil Status Acts'"}}
    extra = {"id": "law-2155-viii", "kind": "law", "number": "2155-VIII", "date": "2017-10-05",
             "title": {"uk": "Закон України «Про електронну ідентифікацію»", "en": "Law on electronic identification"}}
    (data / "acts-writer-a.yaml").write_text(yaml.safe_dump({"acts": [same, extra]}, allow_unicode=True), encoding="utf-8")
    kb = load_kb(data)  # the same act twice, defined alike: fine
    assert "law-2155-viii" in kb.acts and kb.registry_files["law-2155-viii"] == "acts-writer-a.yaml"
    (data / "acts-writer-b.yaml").write_text(
        yaml.safe_dump({"acts": [{**same, "date": "2010-07-02"}]}, allow_unicode=True), encoding="utf-8")
    with pytest.raises(KnowledgeBaseError, match="acts-writer-b.yaml: record law-2398-vi: defined differently in acts.yaml"):
        load_kb(data)
