"""Every `kb check` rule (kb-v2 §6): a clean knowledge base passes; one small flaw trips exactly that rule."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.kb_support import TODAY, edit, good_kb, problems

CARD = "services/id-card.yaml"
LONG_TEXT = " ".join(["Довге речення про послугу"] * 60) + "."


def card(change):
    return lambda data: edit(data, CARD, change)


def _set(path: str, value):
    """card(_set("cost.text.uk", "…")): set one field of the id-card test card."""

    def change(c):
        *parents, last = path.split(".")
        node = c
        for key in parents:
            node = node[int(key)] if key.isdigit() else node[key]
        node[int(last) if last.isdigit() else last] = value

    return card(change)


def test_the_good_fixture_passes_every_rule(tmp_path):
    assert [str(p) for p in problems(good_kb(tmp_path))] == []


# (rule, what the flaw is, how to make it, a phrase the problem must contain)
FLAWS = [
    (1, "schema", _set("cost.kind", "cheap"), "field cost.kind"),
    (1, "unknown act", card(lambda c: c["legal_basis"].append({"act": "law-0000-ix"})), "unknown act 'law-0000-ix'"),
    (1, "document on an unknown path", _set("documents.0.paths", ["lost"]), "unknown path option 'lost'"),
    (1, "stray braces", _set("term", {"uk": "До 20 {днів}.", "en": "Up to 20 {days}."}), "{днів} is not a placeholder"),
    (2, "required service missing",
     lambda d: (d / "required.csv").write_text("id,category\nforeign-passport,administrative\n", encoding="utf-8"),
     "required service 'foreign-passport' (administrative) is missing"),
    (2, "wrong category", _set("category", "civil-status"), "the required list says 'administrative'"),
    (3, "link to another act", lambda d: edit(d, "acts.yaml", lambda a: a["acts"][0].update(
        url="https://zakon.rada.gov.ua/laws/show/5492-16")), "is https://zakon.rada.gov.ua/laws/show/5492-17"),
    (3, "id does not match the number", lambda d: edit(d, "acts.yaml", lambda a: a["acts"][0].update(number="5493-VI")),
     "this act's id is 'law-5493-vi'"),
    (3, "one act under two ids", lambda d: edit(d, "acts.yaml", lambda a: a["acts"].append(
        {**a["acts"][1], "id": "cmu-res-302-2015-copy"})), "are the same cmu-resolution № 302"),
    (3, "an older act under two ids", lambda d: edit(d, "acts.yaml", lambda a: a["acts"].extend(
        {"id": i, "kind": "other", "number": "470", "date": "1984-12-11", "title": {"uk": "Постанова", "en": "Resolution"}}
        for i in ("act-470-1984", "act-rules-470-1984"))), "are the same other № 470"),
    (4, "private site as online route", card(lambda c: c.setdefault("online", []).append(
        {"title": {"uk": "Хелсі", "en": "Helsi"}, "url": "https://helsi.me/doctors"})), "helsi.me is not an official"),
    (4, "home page as evidence", _set("evidence.0.url", "https://dmsu.gov.ua/"), "is a home page"),
    (4, "local page not marked local", _set("evidence.0.url", "https://cnap.zrazkova-rada.gov.ua/id-card"),
     "add level: local"),
    (4, "raw URL in text", _set("summary.uk", "Паспорт у формі картки, див. dmsu.gov.ua."), "no web addresses in text"),
    (4, "a whole Code backs a fee", lambda d: (
        edit(d, "acts.yaml", lambda a: a["acts"].append({"id": "code-family", "kind": "code", "number": "2947-III",
             "date": "2002-01-10", "title": {"uk": "Сімейний кодекс України", "en": "Family Code of Ukraine"}})),
        edit(d, CARD, lambda c: (c["legal_basis"].append({"act": "code-family"}), c["evidence"].append(
            {"url": "https://zakon.rada.gov.ua/laws/show/2947-14", "title": "Сімейний кодекс", "read": "2026-11-30",
             "supports": ["cost"]})))), "does not back a fee or a term"),
    (5, "abbreviation not spelled out", _set("where.body.uk", "ДМС через ЦНАП"), "first use of ДМС"),
    (6, "«безкоштовно»", _set("summary.uk", "Паспорт у формі картки. Вперше — безкоштовно."), "«безоплатно»"),
    (6, "«чек-лист»", _set("summary.uk", "Паспорт у формі картки. Дивіться чек-лист."), "«список документів»"),
    (7, "free but hedged", lambda d: edit(d, "services/birth-registration.yaml", lambda c: c["cost"].update(
        text={"uk": "Безоплатно, але може бути збір", "en": "Free, but a fee may apply"})), "the text hedges"),
    (8, "different figures", _set("term.en", "Up to 30 working days."), "only in uk: 20; only in en: 30"),
    (9, "English copied", _set("eligibility.en", "Громадяни з 14 років."), "English text is a copy of the Ukrainian"),
    (10, "a sum in prose", _set("cost.text", {"uk": "Обмін — 49,92 грн.", "en": "Exchange: UAH 49.92."}),
     "'49,92 грн' is bound to a time"),
    (10, "this year in prose", _set("summary", {"uk": "З 2026 року — лише картка.", "en": "Only cards since 2026."}),
     "'2026' is bound to a time"),
    (10, "an expired text", _set("term", {"uk": "До 20 робочих днів.", "en": "Up to 20 working days.",
                                          "valid_until": "2026-06-30"}), "expired on 2026-06-30"),
    (10, "an expired act", lambda d: edit(d, "acts.yaml", lambda a: a["acts"][1].update(valid_until="2025-12-31")),
     "relies on act 'cmu-res-302-2015', which expired on 2025-12-31"),
    (11, "checked without cost evidence", _set("evidence.0.supports", ["documents", "term"]),
     "nothing read supports cost"),
    (11, "checked before reading", _set("checked", "2026-11-01"), "is before a page was read (2026-11-30)"),
    (11, "unbacked term states a fact", lambda d: edit(d, "services/birth-registration.yaml", lambda c: c.update(
        term={"uk": "У день звернення.", "en": "On the day you apply."})), "no page read backs the term"),
    (11, "read in the future", card(lambda c: (c["evidence"][0].update(read="2026-12-05"), c.update(checked="2026-12-05"))),
     "which is in the future"),
    (12, "long summary", _set("summary", {"uk": "Паспорт. " + "Дуже " * 60, "en": "Passport. " + "Very " * 60}),
     "keep it ≤ 220"),
    (12, "long sentence", _set("eligibility", {"uk": LONG_TEXT, "en": "A long sentence."}), "words (≤ 25)"),
    (12, "nested brackets", _set("eligibility", {"uk": "Громадяни (з 14 років (або раніше)).",
                                                 "en": "Citizens (from 14 (or earlier))."}), "brackets inside brackets"),
    (12, "«Звичайно»", _set("term.uk", "Звичайно — до 20 робочих днів."), "«Зазвичай»"),
    (12, "long checklist line", _set("documents.0.text.uk", "Свідоцтво про народження " * 5), "keep it ≤ 80"),
    (13, "long first screens", lambda d: [edit(d, f"services/{s}.yaml", lambda c: c["documents"].extend(
        {"id": f"doc-{i}", "text": {"uk": f"Документ номер {i} для цієї послуги", "en": f"Document {i} for it"}}
        for i in range(20))) for s in ("id-card", "birth-registration", "housing-subsidy")],
     "the median first screen is"),
    (14, "a path without documents", card(lambda c: (
        c["paths"]["options"].append({"id": "lost", "label": {"uk": "Втрачено", "en": "Lost"}}),
        c["documents"][2].update(paths=["first", "exchange"]))), "path 'lost' lists no document"),
    (14, "a question without documents", lambda d: edit(d, "services/birth-registration.yaml", lambda c: c.update(
        documents=[], paths={"question": {"uk": "Хто подає?", "en": "Who applies?"}, "options": [
            {"id": "parents", "label": {"uk": "Батьки", "en": "Parents"}},
            {"id": "other", "label": {"uk": "Інші", "en": "Others"}}]})), "a paths: question without documents"),
]


@pytest.mark.parametrize(("rule", "flaw", "make", "says"), FLAWS, ids=[f"{r}-{f}" for r, f, _, _ in FLAWS])
def test_each_rule_catches_its_flaw(tmp_path, rule, flaw, make, says):
    data = good_kb(tmp_path)
    make(data)
    found = problems(data)
    assert found, f"{flaw}: nothing reported"
    # A card that does not load is also missing from the required list: that follows, it is not another flaw.
    assert {p.rule for p in found} - ({2} if rule == 1 else set()) == {rule}, [str(p) for p in found]
    assert any(says in str(p) for p in found), [str(p) for p in found]


def test_problems_name_the_file_the_field_and_what_to_do(tmp_path):
    data = good_kb(tmp_path)
    _set("summary.uk", "Паспорт у формі картки. Вперше — безкоштовно.")(data)
    (p,) = problems(data)
    assert str(p) == ("services/id-card.yaml: field summary.uk: write «безоплатно» (one term), not «безкоштовно» "
                      "[rule 6: wording]")


def test_a_dated_text_may_name_a_sum_and_a_year(tmp_path):
    data = good_kb(tmp_path)
    _set("summary", {"uk": "У 2026 році обмін коштує 49,92 грн.", "en": "In 2026 an exchange costs UAH 49.92.",
                     "valid_until": "2026-12-31"})(data)
    assert problems(data) == []
    assert [p.rule for p in problems(data, today=dt.date(2027, 1, 1))] == [10, 10, 10]  # the text, fee and budget law


def test_older_years_and_legal_citations_are_history(tmp_path):
    data = good_kb(tmp_path)
    _set("summary", {"uk": "Картки видають з 2016 року.", "en": "Cards have been issued since 2016."})(data)
    _set("legal_basis.1.part", {"uk": "у редакції від 01.01.2026", "en": "as worded on 01.01.2026"})(data)
    assert problems(data) == []


def test_an_amount_used_before_it_applies_is_reported(tmp_path):
    data = good_kb(tmp_path)
    found = problems(data, today=dt.date(2025, 12, 31))
    assert any("valid only from 2026-01-01" in str(p) for p in found)


def test_spelled_out_forms_in_any_case_pass(tmp_path):
    data = good_kb(tmp_path)
    _set("where.body.uk", "Державною міграційною службою України (ДМС) через ЦНАП (Центр надання адміністративних послуг)")(data)
    _set("summary.uk", "Паспорт у формі картки. Є окремий бланк для внутрішньо переміщених осіб (бланк ВПО).")(data)
    assert [str(p) for p in problems(data)] == []


def test_lenient_turns_readability_and_screen_length_into_warnings(tmp_path):
    data = good_kb(tmp_path)
    _set("term.uk", "Звичайно — до 20 робочих днів.")(data)
    assert [p.rule for p in problems(data)] == [12]
    assert problems(data, lenient=True) == []
    assert [p.rule for p in problems(data, lenient=True, warnings=True)] == [12]


def test_unused_acts_and_amounts_are_warnings(tmp_path):
    data = good_kb(tmp_path)
    edit(data, "acts.yaml", lambda a: a["acts"].append({"id": "law-2155-viii", "kind": "law", "number": "2155-VIII",
         "date": "2017-10-05", "title": {"uk": "Закон", "en": "Law"}}))
    edit(data, "amounts.yaml", lambda a: a["amounts"].update({"pay:unused": {
        "value": 100, "valid_from": "2026-01-01", "valid_until": None, "act": "act-fee-test"}}))
    assert problems(data) == []
    warned = {str(p) for p in problems(data, warnings=True)}
    assert any("law-2155-viii" in w and "no card or amount cites this act" in w for w in warned)
    assert any("pay:unused" in w and "no card uses this amount" in w for w in warned)
    assert TODAY.year == 2026
