"""The learnt intent model (knowledge/search/intent_model.py) behind the word classes of intents.py.

The messages below were written for this test; none of them is in the sets the model was fitted on.
"""

from __future__ import annotations

import pytest

from knowledge.search.intent_model import NONE, WEIGHTS_PATH, IntentModel
from knowledge.search.intents import detect_intent

CLASSES = {NONE, "about-bot", "human", "status-lookup", *(f"cnap-contacts:{t}" for t in
                                                          ("address", "hours", "phone", "route", "all"))}


def test_the_shipped_weights_fit_the_engine():
    model = IntentModel.load(WEIGHTS_PATH)
    assert set(model.classes) == CLASSES
    assert len(model.bias) == len(model.classes)
    assert model.weights and all(len(w) == len(model.classes) for w in model.weights.values())
    assert all(f.split(":", 1)[0] in ("c", "k", "len", "kb") for f in model.weights)


@pytest.mark.parametrize(("text", "intent", "topic"), [
    ("на якій вулиці ваша контора", "cnap-contacts", "address"),
    ("скиньте точку на мапі", "cnap-contacts", "address"),
    ("чи ходить маршрутка до вашої будівлі", "cnap-contacts", "route"),
    ("що там з моїми документами", "status-lookup", None),
])
def test_the_model_recognises_what_the_word_classes_miss(engine, text, intent, topic):
    assert detect_intent(text).name is None and detect_intent(text, lenient=True).name is None
    a = engine.answer(text)
    assert (a.intent, a.contact_topic, a.verdict) == (intent, topic, "none")


@pytest.mark.parametrize("text", ["як оформити субсидію", "де отримати паспорт", "довідка про склад сім'ї",
                                  "хочу зареєструвати шлюб", "how to get a bus pass for a pensioner"])
def test_a_service_question_stays_a_search(engine, text):
    a = engine.answer(text)
    assert a.intent is None and a.verdict != "none"


def test_a_layout_slip_is_read_as_typed_on_the_right_layout(engine):
    slip = engine.intent_features("lt dfi wyfg")  # «де ваш цнап» typed with the English layout on
    typed = engine.intent_features("де ваш цнап")
    assert {"c:cnap", "c:address_weak", "c:you"} <= typed
    assert {f for f in typed if f.startswith("c:")} <= slip


def test_probabilities_are_a_distribution():
    model = IntentModel.load(WEIGHTS_PATH)
    probs = model.probabilities({"c:phone", "c:cnap", "len:2"})
    assert abs(sum(probs.values()) - 1.0) < 1e-9
    assert model.predict({"c:phone", "c:cnap", "len:2"}) == ("cnap-contacts:phone", probs["cnap-contacts:phone"])
