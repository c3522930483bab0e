"""The service model (knowledge/search/service_model.py): learnt words for services, ordering close
candidates only. The messages below are our own, not from bench/data."""

from __future__ import annotations

import json

import pytest

from knowledge.search import engine as engine_module
from knowledge.search.service_model import (
    COUNTS_PATH,
    OFF_TOPIC,
    ServiceModel,
    count_messages,
    count_off_topic,
    key_features,
)


def test_shipped_counts_name_services_and_situations_of_the_kb(kb):
    counts = json.loads(COUNTS_PATH.read_text(encoding="utf-8"))["counts"]
    assert len(counts) >= 100
    for hit_id, feats in counts.items():
        kind, _, sid = hit_id.rpartition(":")
        assert sid in (kb.situations if kind == "situation" else kb.services), hit_id
        assert feats and all(f.startswith("k:") and n > 0 for f, n in feats.items())


def test_words_seen_with_a_service_make_it_likelier():
    model = ServiceModel(count_messages([
        (["idp-host-compensation"], {"k:прихистити", "k:родина", "c:you"}),
        (["idp-host-compensation"], {"k:прихистити", "k:переселенець"}),
        (["idp-registration"], {"k:довидка", "k:переселенець"}),
    ]))
    post = model.posteriors(key_features({"k:прихистити", "k:переселенець", "len:3"}),
                            ["idp-registration", "idp-host-compensation"])
    assert post["idp-host-compensation"] > 0.6 > post["idp-registration"] and abs(sum(post.values()) - 1) < 1e-9
    flat = model.posteriors(frozenset(), ["idp-registration", "idp-host-compensation"])
    assert flat["idp-registration"] == pytest.approx(0.5)
    # A service nobody wrote about still takes part.
    assert set(model.posteriors(frozenset({"k:прихистити"}), ["id-card", "idp-registration"])) == {"id-card",
                                                                                                  "idp-registration"}


def test_only_close_candidates_are_reordered(engine, monkeypatch):
    docs = {d.hit_id: i for i, d in enumerate(engine.index.docs)}
    prefers = ServiceModel(count_messages([(["heating"], {"k:батарея"})] * 20 + [(["id-card"], {"k:паспорт"})] * 20))
    monkeypatch.setattr(engine, "service_model", prefers)
    feats = {"k:батарея"}
    far = [(1.0, docs["housing-subsidy"]), (0.5, docs["heating"])]
    assert engine._reorder(far, frozenset(feats)) == far
    close = [(0.9, docs["housing-subsidy"]), (0.89, docs["heating"]), (0.3, docs["id-card"])]
    # The places keep their scores: only which service stands where changes.
    assert engine._reorder(close, frozenset(feats)) == [(0.9, close[1][1]), (0.89, close[0][1]), close[2]]
    # A first that scores as its own name, word for word, keeps its place; the others are still ordered.
    named = [(1.0, docs["housing-subsidy"]), (0.99, docs["id-card"]), (0.98, docs["heating"])]
    assert engine._reorder(named, frozenset(feats)) == [named[0], (0.99, named[2][1]), (0.98, named[1][1])]


@pytest.mark.parametrize(("message", "expected"), [("розлучення", "situation:divorce"),
                                                   ("народилася дитина", "situation:child-born")])
def test_a_message_that_is_a_cards_name_gets_that_card(engine, message, expected):
    # People who wrote about a divorce mostly meant its registration; the one who types the guide's name
    # gets the guide (it leads to the registration too).
    assert engine.search(message, limit=1)[0].id == expected


@pytest.mark.parametrize(("message", "expected"), [
    ("у нас живе родина переселенців з Маріуполя, чи можна отримати компенсацію за їх проживання",
     "idp-host-compensation"),
    ("візок зламався, як отримати новий від держави", "assistive-devices"),
])
def test_words_people_use_for_a_service_decide_between_close_ones(engine, monkeypatch, message, expected):
    assert engine.search(message, limit=1)[0].id == expected
    monkeypatch.setattr(engine_module, "RERANK_WEIGHT", 0.0)  # the scoring alone gets these wrong
    monkeypatch.setattr(engine_module, "MODEL_FIRST", 2.0)
    assert engine.search(message, limit=1)[0].id != expected


def test_the_scope_model_tells_a_services_words_from_words_of_none():
    off = count_off_topic([{"k:погода", "k:завтра"}, {"k:рецепт", "k:пиріг"}, {"k:погода", "k:дощ"}])
    services = count_messages([(["prescriptions-certificates"], {"k:рецепт", "k:ліки"})] * 3
                              + [(["housing-subsidy"], {"k:субсидія", "k:комуналка"})] * 3)
    scope = ServiceModel.build([], services, off)
    need, off_p, vs_off = scope.scope(frozenset({"k:рецепт", "k:ліки"}), "prescriptions-certificates")
    assert need > 0.9 and off_p < 0.1 and vs_off > 0.9
    need, off_p, vs_off = scope.scope(frozenset({"k:рецепт", "k:пиріг"}), "prescriptions-certificates")
    assert off_p > 0.5 and vs_off < 0.5  # the card's word among words of messages about none of the services
    # Words nobody used are no evidence either way; an id the model never saw is a class like the others.
    assert scope.scope(frozenset({"k:небачене"}), "id-card")[1] == pytest.approx(1 / 4, abs=0.2)


def test_the_off_topic_class_is_never_a_candidate_of_the_reordering():
    off = count_off_topic([{"k:паспорт", "k:погода"}] * 50)
    model = ServiceModel.build([], count_messages([(["id-card"], {"k:паспорт"})]), off)
    plain = ServiceModel.build([], count_messages([(["id-card"], {"k:паспорт"})]))
    post = model.posteriors(frozenset({"k:паспорт"}), ["id-card", "foreign-passport"])
    assert post == plain.posteriors(frozenset({"k:паспорт"}), ["id-card", "foreign-passport"])
    assert model.scope(frozenset({"k:паспорт", "k:погода"}), "id-card")[1] > 0.5


def test_the_shipped_counts_have_the_off_topic_class_and_the_engine_uses_it(engine):
    data = json.loads(COUNTS_PATH.read_text(encoding="utf-8"))
    assert len(data["off_topic"]) > 100 and all(f.startswith("k:") for f in data["off_topic"])
    assert OFF_TOPIC not in engine.service_model.posteriors(frozenset({"k:погода"}), ["id-card", "housing-subsidy"])
    weather = engine.service_model.scope(key_features(engine.intent_features("яка завтра погода")), "id-card")
    passport = engine.service_model.scope(key_features(engine.intent_features("оформити паспорт")), "id-card")
    assert weather[1] > passport[1] and passport[0] > weather[0]


def test_a_service_with_only_kb_names_takes_part_in_the_scope_as_a_candidate():
    labelled = count_messages([(["housing-subsidy"], {"k:субсидія"})] * 5)
    names = [("housing-subsidy", ["субсидія"]), ("our-own-service", ["ковзанка"])]
    model = ServiceModel.build(names, labelled, count_off_topic([{"k:погода"}] * 5))
    words = frozenset({"k:ковзанка"})
    alone = model.scope(words, "housing-subsidy")  # the community's own card is not weighed unless a candidate
    both = model.scope(words, "housing-subsidy", ["housing-subsidy", "our-own-service"])
    assert both[0] < alone[0]
    assert model.scope(words, "our-own-service", ["our-own-service"])[0] > 0.5


def test_counts_of_services_the_kb_does_not_have_are_left_out():
    counts = count_messages([(["housing-subsidy"], {"k:субсидія"}), (["gone-service"], {"k:субсидія"})])
    model = ServiceModel.build([("housing-subsidy", ["субсидія"])], counts, {})
    need, _, _ = model.scope(frozenset({"k:субсидія"}), "housing-subsidy")
    assert need > 0.99  # the service this KB does not offer does not compete


def test_stop_words_are_no_evidence_of_a_service_or_of_none():
    # Many near misses ask «де купити…», «де знаходиться…»: «де» must not make «де отримати паспорт» a
    # message about none of the services.
    assert key_features({"k:де", "k:отримати", "k:паспорт", "c:where", "len:3"}) == {"k:отримати", "k:паспорт"}


def test_the_likeliest_service_of_peoples_words_is_offered_third(engine, monkeypatch):
    docs = {d.hit_id: i for i, d in enumerate(engine.index.docs)}
    sure = ServiceModel(count_messages([(["heating"], {"k:батарея"})] * 20 + [(["id-card"], {"k:паспорт"})] * 20),
                        {"k:погода": 20.0}, ["heating", "id-card"])
    monkeypatch.setattr(engine, "service_model", sure)
    weighing = sure.weigh(frozenset({"k:батарея"}), "housing-subsidy")
    assert weighing.likeliest == "heating" and weighing.likeliest_p > engine_module.MODEL_CANDIDATE
    ranked = [(0.9, docs["housing-subsidy"]), (0.5, docs["id-card"]), (0.4, docs["foreign-passport"]),
              (0.3, docs["heating"])]

    def offer(ranked, w):
        return engine_module._offer_third(ranked, docs[w.likeliest], w.likeliest_p)

    # Fourth -> third; the first (and so the verdict) stays the scoring's, the places keep their scores.
    assert offer(ranked, weighing) == [ranked[0], ranked[1], (0.4, docs["heating"]), (0.3, docs["foreign-passport"])]
    # Not ranked at all -> third too; already among the first three -> as it was.
    assert [d for _, d in offer(ranked[:2], weighing)] == [ranked[0][1], ranked[1][1], docs["heating"]]
    assert offer(ranked[:1] + ranked[3:], weighing) == ranked[:1] + ranked[3:]
    # Words of none of the services offer nothing.
    off = sure.weigh(frozenset({"k:погода"}), "housing-subsidy")
    assert off.likeliest_p < engine_module.MODEL_CANDIDATE and offer(ranked, off) == ranked


def test_a_story_worded_unlike_the_cards_still_shows_its_service(engine, monkeypatch):
    story = "Доброго дня, я пенсіонер, прийшли рахунки за газ і світло на п’ять тисяч, а пенсія три з половиною"
    # People who wrote like this meant the subsidy, so surely that it goes first…
    assert engine.search(story, limit=1)[0].id == "housing-subsidy"
    monkeypatch.setattr(engine_module, "MODEL_FIRST", 2.0)  # …less sure, it would be offered third…
    assert [h.id for h in engine.search(story, limit=3)][2] == "housing-subsidy"
    monkeypatch.setattr(engine_module, "MODEL_CANDIDATE", 2.0)  # …and the scoring alone does not show it
    assert "housing-subsidy" not in [h.id for h in engine.search(story, limit=3)]


def test_a_message_the_model_is_sure_of_gets_a_maybe_when_the_cards_words_found_nothing(engine, monkeypatch):
    lonely = "мені 80 років, живу сама, хочу вдень кудись ходити де люди, поговорити і пообідати"
    a = engine.answer(lonely)
    assert a.intent is None and a.verdict == "maybe" and len(a.hits) == 1  # not "talk to a person"
    assert a.hits[0].id in ("home-care", "day-care")
    monkeypatch.setattr(engine_module, "MODEL_MAYBE", 2.0)
    assert engine.answer(lonely).verdict == "none"
    # Words of none of the services stay "I don't know".
    assert engine.answer("коли закінчиться війна").verdict == "none"
