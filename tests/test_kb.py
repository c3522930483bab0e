"""The knowledge base: the real content is complete and valid; broken files are reported clearly."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from knowledge.check import REQUIRED_CSV, collect_problems
from knowledge.loader import KnowledgeBaseError, load_kb, required_ids

ROOT = Path(__file__).resolve().parent.parent
SHARED_CSV = ROOT.parent / "shared" / "kb" / "required-services.csv"
LIFE_SITUATIONS = {"child-born", "moving-house", "lost-job", "displaced-by-war", "relative-died",
                   "elderly-parent-care", "starting-business"}


def test_real_kb_is_valid_and_complete(real_kb):
    problems, _ = collect_problems()
    assert problems == []
    for sid, category in required_ids(REQUIRED_CSV):
        assert sid in real_kb.services, sid
        assert real_kb.services[sid].category == category, sid
    assert LIFE_SITUATIONS <= set(real_kb.situations)
    assert real_kb.main_office.id in real_kb.offices


@pytest.mark.skipif(not SHARED_CSV.exists(), reason="../shared is not beside this checkout")
def test_bundled_required_list_matches_the_shared_one():
    assert REQUIRED_CSV.read_text(encoding="utf-8") == SHARED_CSV.read_text(encoding="utf-8")


def test_every_service_says_where_to_go_and_on_what_basis(real_kb):
    for svc in real_kb.services.values():
        assert svc.legal_basis and svc.source.startswith("https://"), svc.id
        assert svc.checked <= dt.date.today(), svc.id
        assert svc.where.offices or svc.online, f"{svc.id}: neither an office nor an online route"
        if svc.cost.kind == "unknown":
            assert "ЦНАП" in svc.cost.text.uk or "уточн" in svc.cost.text.uk.lower(), svc.id


def test_kb_check_command_passes_on_the_shipped_data():
    env = {k: v for k, v in os.environ.items() if k != "BOT_KB_DIR"}
    proc = subprocess.run([sys.executable, "run_bot.py", "kb", "check"], cwd=ROOT, capture_output=True, text=True,
                          env=env, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "OK: no problems found." in proc.stdout


def _broken_copy(tmp_path: Path) -> Path:
    data = tmp_path / "kb"
    shutil.copytree(ROOT / "tests" / "data" / "kb", data)
    svc = yaml.safe_load((data / "services" / "id-card.yaml").read_text(encoding="utf-8"))
    del svc["title"]["en"]
    svc["online"] = [{"title": {"uk": "Дія", "en": "Diia"}, "url": "diia.gov.ua/no-scheme"}]
    svc["where"]["offices"] = ["no-such-office"]
    svc["related"] = ["no-such-service"]
    (data / "services" / "id-card.yaml").write_text(yaml.safe_dump(svc, allow_unicode=True), encoding="utf-8")
    dup = yaml.safe_load((data / "services" / "birth-registration.yaml").read_text(encoding="utf-8"))
    dup["summary"]["en"] = dup["summary"]["uk"]  # "translated" by copying
    (data / "services" / "birth-registration.yaml").write_text(yaml.safe_dump(dup, allow_unicode=True), encoding="utf-8")
    (data / "services" / "copy.yaml").write_text(yaml.safe_dump(dup, allow_unicode=True), encoding="utf-8")
    (data / "services" / "broken.yaml").write_text("id: [unclosed", encoding="utf-8")
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
    # Bad records are skipped in lenient mode, so the rest of the bot still works.
    kb = load_kb(data, strict=False)
    assert "housing-subsidy" in kb.services and "id-card" not in kb.services

    problems, _ = collect_problems(data)
    joined = "\n".join(problems)
    assert "English text is a copy of the Ukrainian" in joined and "summary" in joined
    assert "required service 'foreign-passport' (administrative) is missing" in joined


def test_kb_check_exits_non_zero_with_a_readable_report(tmp_path):
    data = _broken_copy(tmp_path)
    env = {**os.environ, "BOT_KB_DIR": str(data)}
    proc = subprocess.run([sys.executable, "run_bot.py", "kb", "check"], cwd=ROOT, capture_output=True, text=True,
                          env=env, timeout=120)
    assert proc.returncode == 1
    assert "problem(s):" in proc.stdout and "  - services/id-card.yaml: field title.en" in proc.stdout


def test_cross_references_are_checked(tmp_path):
    data = tmp_path / "kb"
    shutil.copytree(ROOT / "tests" / "data" / "kb", data)
    sit = yaml.safe_load((data / "situations.yaml").read_text(encoding="utf-8"))
    sit["situations"][0]["services"].append("ghost-service")
    (data / "situations.yaml").write_text(yaml.safe_dump(sit, allow_unicode=True), encoding="utf-8")
    with pytest.raises(KnowledgeBaseError, match="record child-born: field services: unknown service 'ghost-service'"):
        load_kb(data)
