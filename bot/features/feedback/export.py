"""Spreadsheets for staff: one row per response, and a summary (a sheet in XLSX, a second file for CSV).

Ratings are numbers (so a spreadsheet can average them); choices and yes/no are words in the
report's language. Nothing identifies the person who answered.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

from bot.features.feedback.answers import answer_words
from bot.features.feedback.models import FeedbackResponse
from bot.features.feedback.report import Summary, percent
from bot.features.feedback.surveys import Question, Survey, SurveySet
from bot.i18n import N_, Translator
from knowledge.loader import KnowledgeBase

FIXED_COLUMNS = (N_("Response"), N_("Date"), N_("Office"), N_("Service"), N_("Window"), N_("Survey"),
                 N_("Channel"), N_("Language"), N_("Source"))
SOURCES = {"qr": N_("QR code"), "menu": N_("bot menu")}


def _columns(rows: list[FeedbackResponse], surveys: SurveySet) -> list[tuple[str, Question | None, Survey | None]]:
    """One column per question id, in survey order; answers of removed surveys keep their raw id."""
    cols: dict[str, tuple[str, Question | None, Survey | None]] = {}
    for survey_id in dict.fromkeys(r.survey_id for r in rows):
        survey = surveys.surveys.get(survey_id)
        for q in survey.questions if survey else ():
            cols.setdefault(q.id, (q.id, q, survey))
    for r in rows:
        for qid in r.answers or {}:
            cols.setdefault(qid, (qid, None, None))
    return list(cols.values())


def _cell(survey: Survey | None, question: Question | None, value: Any, t: Translator) -> Any:
    if value is None:
        return None
    if question is None or survey is None:
        return ", ".join(map(str, value)) if isinstance(value, list) else value
    if question.kind == "rating":
        return int(value)
    return answer_words(survey, question, value, t)


def response_table(rows: list[FeedbackResponse], surveys: SurveySet, kb: KnowledgeBase, t: Translator) -> tuple[list[str], list[list[Any]]]:
    _ = t.gettext
    cols = _columns(rows, surveys)
    header = [_(c) for c in FIXED_COLUMNS] + [q.label.get(t.lang) if q else qid for qid, q, _survey in cols]
    table = []
    for r in rows:
        office = kb.offices.get(r.office_id)
        service = kb.services.get(r.service_id or "")
        own = surveys.surveys.get(r.survey_id)
        line: list[Any] = [
            r.id, r.day, office.name.get(t.lang) if office else r.office_id,
            service.title.get(t.lang) if service else r.service_id, r.window, r.survey_id, r.channel, r.lang,
            _(SOURCES.get(r.source, r.source)),
        ]
        for qid, q, survey in cols:
            # Read the answer with the response's own survey when it has the question (its own options).
            own_q = own.question(qid) if own else None
            line.append(_cell(own if own_q else survey, own_q or q, (r.answers or {}).get(qid), t))
        table.append(line)
    return header, table


def summary_table(summary: Summary, t: Translator, since: dt.date | None, until: dt.date | None) -> list[list[Any]]:
    _ = t.gettext
    period = f"{since.isoformat() if since else '…'} – {until.isoformat() if until else '…'}"
    low_max = summary.scale_survey.low_max if summary.scale_survey else 2
    out: list[list[Any]] = [
        [_("Period"), period],
        [_("Responses"), summary.responses],
        [_("Low overall ratings"), summary.low, percent(t, summary.low_share) if summary.low_share is not None else ""],
        [],
        [_("Question"), _("Answers"), _("Average"), _("Share of low ratings (1–{max})").format(max=low_max), _("Breakdown")],
    ]
    for st in summary.questions:
        avg = round(st.average, 2) if st.average is not None else None
        low = st.low_share(low_max)
        breakdown = "; ".join(f"{words}: {n}" for words, n in st.breakdown(t))
        out.append([st.question.label.get(t.lang), st.answered, avg, round(low, 4) if low is not None else None, breakdown])
    return out


def write_csv(path: Path, header: list[str], rows: list[list[Any]], summary: list[list[Any]]) -> list[Path]:
    """The responses to `path`, the summary beside it (`<name>-summary.csv`); UTF-8 with BOM for Excel."""
    summary_path = path.with_name(f"{path.stem}-summary{path.suffix or '.csv'}")
    for target, lines in ((path, [header, *rows]), (summary_path, summary)):
        with target.open("w", encoding="utf-8-sig", newline="") as fh:
            csv.writer(fh).writerows([["" if v is None else v for v in line] for line in lines])
    return [path, summary_path]


def write_xlsx(path: Path, header: list[str], rows: list[list[Any]], summary: list[list[Any]], t: Translator) -> list[Path]:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    _ = t.gettext
    wb = Workbook(write_only=False)
    sheet = wb.active
    sheet.title = _("Responses")[:31]
    sheet.append(header)
    for line in rows:
        sheet.append(line)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for n, name in enumerate(header, 1):
        sheet.column_dimensions[sheet.cell(1, n).column_letter].width = min(max(10, len(str(name)) + 2), 40)
    for row in sheet.iter_rows(min_row=2, min_col=2, max_col=2):
        row[0].number_format = "yyyy-mm-dd"
    summ = wb.create_sheet(_("Summary")[:31])
    for line in summary:
        summ.append(line)
    summ.column_dimensions["A"].width = 40
    summ.column_dimensions["E"].width = 80
    for row in summ.iter_rows(min_col=4, max_col=4, min_row=6):
        row[0].number_format = "0.0%"
    wb.save(path)
    return [path]
