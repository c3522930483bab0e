"""«Це анонімно» holds: contacts typed into a comment are masked everywhere (issue 12, item 13; issue 11,
finding 6), and the reports speak the bot's number and date style (issue 12, texts)."""

from __future__ import annotations

import asyncio
import csv
import re

from sqlalchemy import select

from bot.features.feedback.models import FeedbackResponse
from tests.chat import Chat
from tests.features.feedback.test_feedback import LOW, core, fb_core  # noqa: F401
from tests.features.feedback.test_feedback_reports import answered, cli  # noqa: F401
from tests.feedback_support import make_staff, qr, take_survey
from tests.sinks import Sink

CONTACTS = "Передзвоніть мені: +380 67 123-45-67 або 0501112233, пошта ivan.petrenko@example.com"


async def test_contacts_in_a_comment_are_masked_before_they_are_stored_or_shown(fb_core, tmp_path):
    staff = await make_staff(fb_core, "cnap-main", user="staff-cnap")
    visitor = Chat(fb_core, user="unhappy", lang="en")
    await take_survey(visitor, {**LOW, "comment": CONTACTS}, payload=qr())
    asked = [r.text for replies in visitor.history for r in replies]
    assert any("phone numbers and e-mail addresses are removed" in t.lower() for t in asked)
    async with fb_core.db.sessions() as s:
        stored = (await s.execute(select(FeedbackResponse.answers))).scalar_one()
    comment = stored["comment"]
    for secret in ("123-45-67", "0501112233", "ivan.petrenko", "example.com"):
        assert secret not in comment
    assert comment.startswith("Передзвоніть мені:") and "☎ ***" in comment and "✉ ***" in comment
    sink = Sink()
    await fb_core.delivery_worker([sink]).run_once()
    alert = dict(sink.sent)[staff.user]
    assert "0501112233" not in alert and "☎ ***" in alert


async def test_the_csv_summary_uses_the_bots_number_and_date_style(answered, tmp_path):
    out = tmp_path / "report.csv"
    assert await asyncio.to_thread(cli, answered.settings, "feedback", "report", "--office", "cnap-main",
                                   "--format", "csv", "--out", str(out), "--lang", "uk") == 0
    with (tmp_path / "report-summary.csv").open(encoding="utf-8-sig", newline="") as fh:
        summary = {row[0]: row[1:] for row in csv.reader(fh) if row}
    (period,) = summary["Період"]
    assert re.fullmatch(r"\d\d\.\d\d\.\d{4} – \d\d\.\d\d\.\d{4}", period), period
    assert summary["Низькі загальні оцінки"][1] == "40\xa0%"
    assert summary["Загальна оцінка"][1] == "3,4"
