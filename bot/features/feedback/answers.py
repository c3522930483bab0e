"""Walking through a survey: which question comes next, typed answers, answers as words.

Answers are kept as plain JSON values: a rating is an int 1–5, a single choice an option
id, a multiple choice a list of option ids, yes/no a bool, free text a string. A skipped
or not-asked question has no entry.
"""

from __future__ import annotations

from typing import Any

from bot.core.redact import mask_contacts
from bot.features.feedback.surveys import Question, Survey
from bot.i18n import N_, Translator

YES_NO = {True: N_("yes"), False: N_("no")}
_TYPED_YES = {"так", "да", "yes", "y", "+", "ага", "угу"}
_TYPED_NO = {"ні", "нi", "нет", "no", "n", "-"}


def next_index(survey: Survey, answers: dict[str, Any], after: int = -1) -> int | None:
    """The first question after `after` whose `show_if` holds, or None at the end."""
    for n in range(after + 1, len(survey.questions)):
        cond = survey.questions[n].show_if
        if cond is None or cond.holds(answers.get(cond.question)):
            return n
    return None


def _fold(text: str) -> str:
    return " ".join(text.lower().replace("’", "'").split()).strip(" .!")


def parse_typed(survey: Survey, question: Question, text: str) -> Any:
    """A typed answer to a button question ("5", "добре", "так", an option's words); None if unclear.

    Buttons are the way in; typing is the fallback for those who prefer it (and for screen readers).
    """
    typed = _fold(text)
    if question.kind == "rating":
        if typed in {"1", "2", "3", "4", "5"}:
            return int(typed)
        for value, words in (survey.scale or {}).items():
            if typed in (_fold(words.uk), _fold(words.en)):
                return value
    elif question.kind == "yesno":
        if typed in _TYPED_YES:
            return True
        if typed in _TYPED_NO:
            return False
    elif question.kind == "single":
        for option in question.options:
            if typed in (_fold(option.text.uk), _fold(option.text.en)):
                return option.id
    return None


def answer_words(survey: Survey, question: Question, value: Any, t: Translator) -> str:
    """An answer as the person saw it, in `t`'s language."""
    if question.kind == "rating":
        return survey.scale_label(int(value), t.lang)
    if question.kind == "yesno":
        return t.gettext(YES_NO[bool(value)])
    if question.kind in ("single", "multiple"):
        ids = value if isinstance(value, list) else [value]
        return ", ".join(o.text.get(t.lang) for o in question.options if o.id in ids)
    return mask_contacts(str(value))  # stored masked since issue 12; older comments are masked when shown


def answers_block(survey: Survey, answers: dict[str, Any], t: Translator) -> str:
    """"Label: answer" lines, in the survey's order (for the staff alert)."""
    lines = []
    for q in survey.questions:
        if q.id in answers:
            value = answer_words(survey, q, answers[q.id], t)
            lines.append(f"{q.label.get(t.lang)}: «{value}»" if q.kind == "text" else f"{q.label.get(t.lang)}: {value}")
    return "\n".join(lines)
