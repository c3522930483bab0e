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
from bot.features.feedback.report import Summary, one_decimal, percent
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


def summary_table(summary: Summary, t: Translator, since: dt.date | None, until: dt.date | None,
                  as_text: bool = False) -> list[list[Any]]:
    """The summary rows; `as_text` (CSV): averages and shares written as the bot writes them ("3,4", "40 %"),
    else numbers a spreadsheet can compute with (XLSX, formatted there)."""
    _ = t.gettext
    period = f"{t.table_date(since) if since else '…'} – {t.table_date(until) if until else '…'}"
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
        if as_text:
            out.append([st.question.label.get(t.lang), st.answered, one_decimal(t, st.average) if avg is not None else None,
                        percent(t, low) if low is not None else None, breakdown])
        else:
            out.append([st.question.label.get(t.lang), st.answered, avg, round(low, 4) if low is not None else None, breakdown])
    return out


def write_csv(path: Path, header: list[str], rows: list[list[Any]], summary: list[list[Any]], t: Translator) -> list[Path]:
    """The responses to `path`, the summary beside it (`<name>-summary.csv`); UTF-8 with BOM for Excel.
    Dates as tables write them in the report's language (30.11.2026)."""
    summary_path = path.with_name(f"{path.stem}-summary{path.suffix or '.csv'}")

    def cell(v: Any) -> Any:
        return "" if v is None else t.table_date(v) if isinstance(v, dt.date) else v

    for target, lines in ((path, [header, *rows]), (summary_path, summary)):
        with target.open("w", encoding="utf-8-sig", newline="") as fh:
            csv.writer(fh).writerows([[cell(v) for v in line] for line in lines])
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
        row[0].number_format = "dd.mm.yyyy" if t.lang == "uk" else "yyyy-mm-dd"
    summ = wb.create_sheet(_("Summary")[:31])
    for line in summary:
        summ.append(line)
    summ.column_dimensions["A"].width = 40
    summ.column_dimensions["E"].width = 80
    for row in summ.iter_rows(min_col=4, max_col=4, min_row=6):
        row[0].number_format = "0.0%"
    wb.save(path)
    return [path]
