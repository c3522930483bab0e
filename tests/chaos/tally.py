"""People who each open several service cards by deep link, and a count of what they got back.

Every update is `/start svc_<id>` for a different service, so each answer names the update it answers
(the service's title): lost, repeated and reordered answers can be counted exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.fakes.telegram_api import FakeTelegram

BASE_CHAT = 700_000


def pick_services(kb, count: int) -> list[tuple[str, str]]:
    """`count` services (id, Ukrainian title) whose titles do not contain one another."""
    chosen: list[tuple[str, str]] = []
    for sid, svc in sorted(kb.services.items()):
        title = svc.title.get("uk")
        if all(title not in t and t not in title for _, t in chosen):
            chosen.append((sid, title))
        if len(chosen) == count:
            return chosen
    raise AssertionError("the knowledge base has too few distinct services")


@dataclass
class Plan:
    """`people` people, each opening `per_person` cards in a fixed order."""

    services: list[tuple[str, str]]
    people: int
    per_person: int

    def chats(self) -> list[int]:
        return [BASE_CHAT + n for n in range(self.people)]

    def expected(self, chat: int) -> list[str]:
        n = chat - BASE_CHAT
        return [self.services[(n + k) % len(self.services)][1] for k in range(self.per_person)]

    def updates(self, tg: FakeTelegram) -> list[dict]:
        """In the order people send them: everyone's first card, then everyone's second, …"""
        out = []
        for k in range(self.per_person):
            for chat in self.chats():
                n = chat - BASE_CHAT
                sid = self.services[(n + k) % len(self.services)][0]
                out.append(tg.text_update(chat, f"/start svc_{sid}"))
        return out


@dataclass
class Tally:
    lost: int = 0
    repeated: int = 0  # messages a person got twice (an answer, or a part of one such as the privacy notice)
    out_of_order: int = 0  # people whose answers came in another order than they asked
    detail: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return self.lost == self.repeated == self.out_of_order == 0


def tally(plan: Plan, tg: FakeTelegram) -> Tally:
    titles = [t for _, t in plan.services]
    result = Tally()
    for chat in plan.chats():
        got = [next(t for t in titles if t in m.text) for m in tg.messages(chat) if any(t in m.text for t in titles)]
        want = plan.expected(chat)
        lost = [t for t in want if t not in got]
        result.lost += len(lost)
        texts = [m.text for m in tg.messages(chat)]
        result.repeated += len(texts) - len(set(texts))
        first_seen = list(dict.fromkeys(got))
        if [t for t in first_seen if t in want] != [t for t in want if t in first_seen]:
            result.out_of_order += 1
            result.detail.append(f"chat {chat}: got {first_seen}, asked {want}")
    return result


def messages_delivered(tg: FakeTelegram) -> int:
    return len(tg.sent)
