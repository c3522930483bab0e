"""Questions about the CNAP itself, answered on every channel from the test KB's main office."""

from __future__ import annotations

OFFICE = "🏢 ЦНАП тестової громади"
ADDRESS, HOURS, PHONE = "Адреса: вул. Тестова, 1", "Графік роботи: Пн–Пт 8:00–17:00", "Телефон: +380 00 000 00 01"
# (what a person types, the line the answer leads with after the office's name)
QUESTIONS = [("де знаходиться цнап", ADDRESS), ("графік роботи", HOURS), ("телефон цнап", PHONE)]


def assert_office_answer(text: str, first: str) -> None:
    """The office's name, the asked part first, then the rest of the offline route."""
    lines = text.split("\n")
    assert lines[:2] == [OFFICE, first], text
    assert {ADDRESS, HOURS, PHONE} <= set(lines), text
