"""The numbers staff read: responses, average per question, share of low ratings, comments, weeks.

Works on stored responses (never on who gave them). Questions are matched by id across
surveys, so an "overall" rating asked by a service's own survey counts with the office's.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from babel.numbers import format_decimal, format_percent

from bot.core.redact import mask_contacts
from bot.features.feedback.answers import answer_words
from bot.features.feedback.models import FeedbackResponse
from bot.features.feedback.surveys import SCALE, Question, Survey, SurveySet
from bot.i18n import Translator


@dataclass
class QuestionStats:
    question: Question
    survey: Survey  # the first survey that defines the question (for its words)
    answered: int = 0
    counts: Counter = field(default_factory=Counter)  # rating value / option id / True,False -> answers

    @property
    def average(self) -> float | None:
        if self.question.kind != "rating" or not self.answered:
            return None
        return sum(v * n for v, n in self.counts.items()) / self.answered

    def low_share(self, low_max: int) -> float | None:
        if self.question.kind != "rating" or not self.answered:
            return None
        return sum(n for v, n in self.counts.items() if v <= low_max) / self.answered

    def breakdown(self, t: Translator) -> list[tuple[str, int]]:
        """(answer in words, count) in the order the person saw them."""
        q = self.question
        if q.kind == "rating":
            keys: list[Any] = sorted(SCALE, reverse=True)
        elif q.kind == "yesno":
            keys = [True, False]
        else:
            keys = [o.id for o in q.options]
        return [(answer_words(self.survey, q, k, t), self.counts.get(k, 0)) for k in keys]


@dataclass
class Week:
    start: dt.date  # Monday
    responses: int = 0
    rating_sum: int = 0
    rated: int = 0

    @property
    def average(self) -> float | None:
        return self.rating_sum / self.rated if self.rated else None


@dataclass
class Summary:
    responses: int
    rated: int  # responses that answered their survey's main rating
    low: int  # … at or below the alert level
    questions: list[QuestionStats]
    comments: list[tuple[dt.date, str, str]]  # (day, office id, text), newest first
    weeks: list[Week]
    main_label: str | None = None  # the main rating's label, for the chart
    scale_survey: Survey | None = None

    @property
    def low_share(self) -> float | None:
        return self.low / self.rated if self.rated else None

    @property
    def ratings(self) -> list[QuestionStats]:
        return [s for s in self.questions if s.question.kind == "rating" and s.answered]


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def summarize(
    rows: list[FeedbackResponse], surveys: SurveySet, lang: str = "uk",
    since: dt.date | None = None, until: dt.date | None = None, comments: int = 5,
) -> Summary:
    stats: dict[str, QuestionStats] = {}
    weeks: dict[dt.date, Week] = {}
    notes: list[tuple[dt.date, int, str, str]] = []
    rated = low = 0
    main_survey: Survey | None = None
    for row in rows:
        survey = surveys.surveys.get(row.survey_id)
        week = weeks.setdefault(_monday(row.day), Week(_monday(row.day)))
        week.responses += 1
        if survey is None:
            continue  # a survey file removed since: its answers are in the CSV/XLSX, not in these numbers
        main_survey = main_survey or survey
        answers = row.answers or {}
        main = answers.get(survey.main_rating or "")
        if isinstance(main, int):
            rated += 1
            low += main <= survey.low_max
            week.rated += 1
            week.rating_sum += main
        for q in survey.questions:
            if q.id not in answers:
                continue
            if q.kind == "text":
                notes.append((row.day, row.id, row.office_id, mask_contacts(str(answers[q.id]))))
                continue
            st = stats.setdefault(q.id, QuestionStats(q, survey))
            if st.question.kind != q.kind:
                continue  # two surveys use one id for different questions: count the first one's only
            st.answered += 1
            values = answers[q.id] if q.kind == "multiple" else [answers[q.id]]
            st.counts.update(values)
    if rows or (since and until):
        first = _monday(since or rows[0].day)
        last = _monday(until or max(r.day for r in rows))
        day = first
        while day <= last:
            weeks.setdefault(day, Week(day))
            day += dt.timedelta(days=7)
    notes.sort(key=lambda n: (n[0], n[1]), reverse=True)
    main_q = main_survey.question(main_survey.main_rating) if main_survey and main_survey.main_rating else None
    return Summary(
        responses=len(rows), rated=rated, low=low, questions=list(stats.values()),
        comments=[(d, office, text) for d, _id, office, text in notes[:comments]],
        weeks=[weeks[k] for k in sorted(weeks)],
        main_label=main_q.label.get(lang) if main_q else None, scale_survey=main_survey,
    )


def one_decimal(t: Translator, value: float | None) -> str:
    """4.25 → "4,3" in Ukrainian, "4.3" in English ("—" for no answers)."""
    return "—" if value is None else format_decimal(value, format="0.0", locale=t.lang)


def percent(t: Translator, share: float) -> str:
    """40 % in Ukrainian (a no-break space before the sign, as Ukrainian typography has it), 40% in English."""
    return format_percent(share, "#,##0\u00a0%" if t.lang == "uk" else None, locale=t.lang)


def summary_text(summary: Summary, t: Translator, title: str, since: dt.date, until: dt.date) -> str:
    """The results as the staff member reads them in the chat."""
    _ = t.gettext
    lines = [
        f"📊 {title}",
        _("Period: {start} – {end}").format(start=t.day(since, until), end=t.day(until)),
        _("Responses: {n}").format(n=summary.responses),
    ]
    if not summary.responses:
        lines += ["", _("No responses in this period yet. A poster with the QR code in the office helps: "
                        "your administrator can print it.")]
        return "\n".join(lines)
    if summary.low_share is not None:
        lines.append(_("Low overall ratings (1–{max}): {n} ({share})").format(
            max=summary.scale_survey.low_max if summary.scale_survey else 2, n=summary.low,
            share=percent(t, summary.low_share)))
    if summary.ratings:
        lines += ["", _("Average rating (of 5):")]
        for st in summary.ratings:
            line = t.ngettext("• {label}: {avg} ({n} answer)", "• {label}: {avg} ({n} answers)", st.answered)
            lines.append(line.format(label=st.question.label.get(t.lang), avg=one_decimal(t, st.average), n=st.answered))
    for st in summary.questions:
        if st.question.kind in ("rating", "text") or not st.answered:
            continue
        parts = [f"{words} — {n}" for words, n in st.breakdown(t) if n]
        lines += ["", f"{st.question.label.get(t.lang)}:", "; ".join(parts)]
    if summary.comments:
        lines += ["", _("Latest comments:")]
        lines += [f"• {t.day(day, until)}: «{text}»" for day, _office, text in summary.comments]
    return "\n".join(lines)
