"""The answer to one chat message: what was asked, and how sure we are.

    SearchEngine.answer(text, lang="uk") -> Answer

Answer fields
* text — the message after hygiene (no control/escape/bidi/zero-width
  characters, whitespace folded), at most MAX_QUERY_CHARS;
* excerpt — ≤ 60 characters of it, cut on a word, for quoting back;
* log_text — safe to store or log: phones, e-mails and long numbers
  masked, ≤ 200 characters;
* intent — None (a search), "greeting", "thanks", "cnap-contacts",
  "about-bot", "human" or "status-lookup" (intents.py);
* contact_topic — for "cnap-contacts": "address" | "hours" | "phone" |
  "route", or None for all of them;
* app_number — for "status-lookup": the application number as typed;
* verdict — "found": show `hits` (the weak tail is already dropped);
  "clarify": two or three services are equally likely, ask which one
  (`hits` are the candidates); "maybe": not sure enough to say found — ask
  whether it is one of `hits` (one to three), with a way out to the CNAP
  contacts; "none": we do not know — say so honestly and offer the CNAP
  contacts and the topics, never random services;
* hits — see verdict; [] for "none".

How the bot should use it: intent first (greeting/thanks → a friendly
reply; cnap-contacts → the main office's address/hours/phone/route, the one
asked or all; about-bot → what the bot can do; human → the CNAP phone and
hours; status-lookup → the status of `app_number`); then the verdict. An
intent and a service come together only when both were asked (hits are
then non-empty with verdict "found").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from knowledge.search.hygiene import cut_on_word, excerpt
from knowledge.search.structured import mask_private

LOG_CHARS = 200

Verdict = Literal["found", "clarify", "maybe", "none"]
CONFIDENT: tuple[Verdict, ...] = ("found", "clarify")  # the verdicts that say we know what was asked


@dataclass(frozen=True)
class Answer:
    text: str
    excerpt: str
    log_text: str
    intent: str | None
    contact_topic: str | None
    app_number: str | None
    verdict: Verdict
    hits: list  # list[SearchHit]


def make_answer(text: str, intent, verdict: Verdict, hits: list) -> Answer:
    return Answer(
        text=text,
        excerpt=excerpt(text),
        log_text=cut_on_word(mask_private(text), LOG_CHARS),
        intent=intent.name,
        contact_topic=intent.contact_topic,
        app_number=intent.app_number,
        verdict=verdict,
        hits=hits if verdict != "none" else [],
    )


__all__ = ["Answer", "Verdict", "CONFIDENT", "make_answer", "LOG_CHARS"]
