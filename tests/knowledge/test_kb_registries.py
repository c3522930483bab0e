"""Amounts (formatting, bases, validity) and legal acts (zakon.rada codes, ids, citations)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from pydantic import ValidationError

from knowledge.acts import citation, expected_code, expected_id, law_code, link_code
from knowledge.amounts import Period, format_money, resolve, substitute
from knowledge.models import Act, Amount, Base, Reading, Text
from knowledge.validity import card_validity

D = dt.date
NBSP = "\u00a0"


@pytest.mark.parametrize(("value", "uk", "en"), [
    ("49.92", "49,92 грн", "UAH 49.92"),
    ("2000", "2 000 грн", "UAH 2,000"),
    ("2000.00", "2 000 грн", "UAH 2,000"),
    ("50000", "50 000 грн", "UAH 50,000"),
    ("1234567.5", "1 234 567,50 грн", "UAH 1,234,567.50"),
    ("0.51", "0,51 грн", "UAH 0.51"),
])
def test_money_is_formatted_per_language_and_never_breaks(value, uk, en):
    assert format_money(Decimal(value), "uk") == uk.replace(" ", NBSP)
    assert format_money(Decimal(value), "en") == en.replace(" ", NBSP)


def _base(**kw) -> Base:
    return Base(**{"value": "3328.00", "valid_from": D(2026, 1, 1), "valid_until": D(2026, 12, 31),
                   "act": "law-budget-2026", **kw})


def test_an_amount_is_a_factor_of_its_base_rounded_to_kopecks_valid_where_both_are():
    amounts = {
        "fee:registration": Amount(base="pm", factor="0.015", act="a"),
        "fee:late": Amount(base="pm", factor="0.025", valid_from=D(2026, 3, 1), act="a"),
        "fee:odd": Amount(base="pm", factor="0.0333", valid_until=D(2026, 6, 30), act="a"),
    }
    resolved, problems = resolve(amounts, {"pm": _base()})
    assert problems == []
    assert resolved["fee:registration"].value == Decimal("49.92")
    assert resolved["fee:late"].value == Decimal("83.20")
    assert resolved["fee:odd"].value == Decimal("110.82")  # 110.8224 → 110.82
    assert resolved["fee:late"].period == Period(D(2026, 3, 1), D(2026, 12, 31))
    assert resolved["fee:odd"].period == Period(D(2026, 1, 1), D(2026, 6, 30))
    assert resolved["fee:late"].acts == ("a", "law-budget-2026")


def test_validity_expires_by_the_injected_day_not_the_real_one():
    period = Period(D(2026, 1, 1), D(2026, 12, 31))
    assert not period.expired(D(2026, 12, 31)) and period.expired(D(2027, 1, 1))
    assert period.not_started(D(2025, 12, 31)) and not period.not_started(D(2026, 1, 1))
    assert not Period(D(2026, 1, 1), None).expired(D(2099, 1, 1))


def test_a_card_is_valid_while_everything_it_uses_is(test_kb):
    card = test_kb.authored["id-card"]
    dated = card.model_copy(update={"term": Text(uk="До 20 днів.", en="Up to 20 days.", valid_until=D(2026, 12, 1))})
    validity = card_validity(dated, test_kb.amounts, test_kb.acts)
    assert validity.period == Period(D(2026, 1, 1), D(2026, 12, 1))
    assert {(i.kind, i.ref) for i in validity.items} == {
        ("amount", "fee:id-card-exchange"), ("act", "law-budget-2026"), ("text", "term")}
    assert [i.ref for i in validity.expired(D(2026, 12, 2))] == ["term"]
    assert [i.ref for i in validity.expiring(D(2026, 11, 30), days=0)] == []
    assert [i.ref for i in validity.expiring(D(2026, 11, 30), days=1)] == ["term"]
    assert {i.ref for i in validity.expiring(D(2026, 11, 30), days=60)} == {"fee:id-card-exchange", "law-budget-2026", "term"}


def test_placeholders_are_filled_and_unknown_ones_stay_visible(test_kb):
    assert substitute("Збір — {fee:id-card-exchange}.", test_kb.amounts, "uk") == f"Збір — 49,92{NBSP}грн."
    assert substitute("Fee: {fee:nope}.", test_kb.amounts, "en") == "Fee: {fee:nope}."


def test_fixed_amounts_must_say_how_long_they_hold():
    with pytest.raises(ValidationError, match="valid_until"):
        Amount(value="50000", valid_from=D(2026, 1, 1), act="law-4681-ix")
    assert Amount(value="50000", valid_from=D(2026, 1, 1), valid_until=None, act="law-4681-ix").valid_until is None
    with pytest.raises(ValidationError, match="either value"):
        Amount(value="1", base="pm", factor="1", act="a")


@pytest.mark.parametrize(("number", "code"), [
    ("4695-IX", "4695-20"),  # 9th convocation of independent Ukraine
    ("2145-VIII", "2145-19"),
    ("1706-VII", "1706-18"),
    ("5492-VI", "5492-17"),
    ("1058-IV", "1058-15"),
    ("2402-III", "2402-14"),
    ("966-XIV", "966-14"),  # the 3rd convocation's first laws
    ("2811-XII", "2811-12"),  # Verkhovna Rada of the Ukrainian SSR
    ("5464-X", "5464-10"),
    ("791а-XII", "791а-12"),
    ("2811-ХІІ", "2811-12"),  # typed with Cyrillic Х and І
    ("280/97-ВР", "280/97-вр"),  # 1994–98 numbering
    ("32/95-вр", "32/95-вр"),
    ("no number", None),
])
def test_law_numbers_map_to_zakon_rada_codes(number, code):
    assert law_code(number) == code


def _act(id_, kind, number, date, **kw):
    return Act(id=id_, kind=kind, number=number, date=date, title=Text(uk="Акт", en="Act"), **kw)


def test_cabinet_acts_and_codes_have_their_own_codes():
    assert expected_code(_act("cmu-res-302-2015", "cmu-resolution", "302", D(2015, 3, 25))) == "302-2015-п"
    assert expected_code(_act("cmu-res-848-1995", "cmu-resolution", "848", D(1995, 10, 21))) == "848-95-п"
    assert expected_code(_act("cmu-ord-167-2021", "cmu-order", "167-р", D(2021, 3, 3))) == "167-2021-р"
    assert expected_code(_act("code-land", "code", "2768-III", D(2001, 10, 25))) == "2768-14"
    assert expected_code(_act("code-tax", "code", "2755-VI", D(2010, 12, 2))) == "2755-17"
    assert expected_code(_act("code-admin-offences", "code", "8073-X", D(1984, 12, 7))) == "80731-10"
    assert expected_code(_act("mo-minjust-52-5-2000", "ministry-order", "52/5", D(2000, 10, 18))) is None


def test_link_codes_are_read_from_encoded_and_long_links():
    assert link_code("https://zakon.rada.gov.ua/laws/show/302-2015-%D0%BF") == "302-2015-п"
    assert link_code("https://zakon.rada.gov.ua/laws/show/280/97-%D0%B2%D1%80#Text") == "280/97-вр"
    assert link_code("https://zakon.rada.gov.ua/laws/show/5492-17/ed20240101") == "5492-17"
    assert link_code("https://zakon.rada.gov.ua/go/2755-17") == "2755-17"
    assert link_code("https://dmsu.gov.ua/services/x.html") is None


def test_act_ids_follow_the_writers_convention():
    assert expected_id(_act("x", "law", "5492-VI", D(2012, 11, 20))) == "law-5492-vi"
    assert expected_id(_act("x", "law", "280/97-ВР", D(1997, 5, 21))) == "law-280-97-vr"
    assert expected_id(_act("x", "cmu-resolution", "302", D(2015, 3, 25))) == "cmu-res-302-2015"
    assert expected_id(_act("x", "cmu-order", "523-р", D(2014, 9, 16))) == "cmu-ord-523-2014"
    assert expected_id(_act("law-budget-2026", "law", "4695-IX", D(2025, 12, 3))) is None
    with pytest.raises(ValidationError, match="needs its number and date"):
        Act(id="law-x", kind="law", title=Text(uk="Закон", en="Law"))


def test_a_citation_names_number_date_and_part():
    act = _act("law-5492-vi", "law", "5492-VI", D(2012, 11, 20))
    assert citation(act, "uk", Text(uk="ст. 21", en="art. 21")) == "Акт від 20.11.2012 № 5492-VI, ст. 21"
    assert citation(act, "en") == "Act No. 5492-VI of 20.11.2012"


@pytest.mark.parametrize(("url", "ok"), [
    ("https://drpzmr.gov.ua:8080/index.php/do-uvagy/", True),  # an official site on its own port
    ("https://oblrada.dp.gov.ua/?p=111394", True),  # a WordPress article
    ("http://dspck.gov.ua/news-blog/1530", False),  # plain http
    ("https://dmsu.gov.ua:/x", False),
    ("diia.gov.ua/services/x", False),
])
def test_links_must_be_well_formed_https(url, ok):
    make = lambda: Reading(url=url, title="Сторінка", read=D(2026, 11, 30))  # noqa: E731
    if ok:
        assert make().url == url
    else:
        with pytest.raises(ValidationError, match="well-formed"):
            make()
