"""The results chart: the main rating week by week, and how each rating question was answered.

matplotlib is imported only when a chart is drawn (the bot starts fast) and used through
its object API with the Agg canvas (no pyplot, no global figure state), so charts can be
drawn in a worker thread. DejaVu Sans, bundled with matplotlib, has Cyrillic.
"""

from __future__ import annotations

import io
import textwrap

from bot.features.feedback.report import Summary, one_decimal
from bot.features.feedback.surveys import SCALE
from bot.i18n import Translator

FONT = {"font.family": "DejaVu Sans", "svg.fonttype": "path", "pdf.fonttype": 42}
# 1 (red) … 5 (green): colour-blind friendly enough with the numbers printed in the legend.
COLOURS = {1: "#c0392b", 2: "#e67e22", 3: "#f1c40f", 4: "#7fb77e", 5: "#2e8b57"}


def results_chart(summary: Summary, t: Translator, title: str) -> bytes:
    """A PNG image; call only when there is at least one response."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator, PercentFormatter

    _ = t.gettext
    ratings = summary.ratings
    with matplotlib.rc_context(FONT):  # type: ignore[arg-type]
        fig = Figure(figsize=(10, 4.2 + 0.55 * max(len(ratings), 1)), dpi=110, layout="constrained")
        FigureCanvasAgg(fig)
        top, bottom = fig.subplots(2, 1, height_ratios=[3.2, 0.55 * max(len(ratings), 1) + 0.6])
        fig.suptitle(title, fontsize=14, fontweight="bold")

        weeks = summary.weeks
        x = list(range(len(weeks)))
        counts = top.twinx()
        counts.bar(x, [w.responses for w in weeks], color="#d5dbe3", width=0.6, zorder=1)
        counts.set_ylabel(_("Responses per week"), color="#6b7785")
        counts.tick_params(axis="y", colors="#6b7785")
        counts.yaxis.set_major_locator(MaxNLocator(integer=True))
        top.set_zorder(counts.get_zorder() + 1)
        top.patch.set_visible(False)
        avg = [(n, w.average) for n, w in enumerate(weeks) if w.average is not None]
        if avg:
            top.plot([n for n, _v in avg], [v for _n, v in avg], marker="o", color="#1f5fa8", linewidth=2.2)
            for n, v in avg if len(avg) <= 16 else ():  # numbers on every point only while they fit
                top.annotate(one_decimal(t, v), (n, v), textcoords="offset points", xytext=(0, 8),
                             ha="center", fontsize=9, color="#1f5fa8")
        top.set_ylim(0.7, 5.6)
        top.set_yticks(list(SCALE))
        top.set_ylabel(_("Average: {label}").format(label=summary.main_label or "—"), color="#1f5fa8")
        top.set_xticks(x, [t.date(w.start, "d MMM") for w in weeks], rotation=45 if len(weeks) > 8 else 0,
                       ha="right" if len(weeks) > 8 else "center", fontsize=8)
        top.set_title(_("Week by week (weeks start on Monday)"), fontsize=10, loc="left")
        top.grid(axis="y", alpha=0.3)

        labels = [textwrap.fill(s.question.label.get(t.lang), 28) for s in ratings]
        left = [0.0] * len(ratings)
        survey = summary.scale_survey
        for value in SCALE:
            shares = [s.counts.get(value, 0) / s.answered for s in ratings]
            legend = survey.scale_label(value, t.lang) if survey else str(value)
            bottom.barh(labels, shares, left=left, color=COLOURS[value], label=legend, height=0.6)
            left = [a + b for a, b in zip(left, shares, strict=True)]
        for n, s in enumerate(ratings):
            note = _("average {avg}, answers: {n}").format(avg=one_decimal(t, s.average), n=s.answered)
            bottom.text(1.01, n, note, va="center", fontsize=9)
        bottom.set_xlim(0, 1)
        bottom.invert_yaxis()
        bottom.xaxis.set_major_formatter(PercentFormatter(1.0))
        bottom.set_title(_("How each question was rated"), fontsize=10, loc="left")
        bottom.legend(ncols=5, loc="upper center", bbox_to_anchor=(0.5, -0.25), fontsize=8, frameon=False)
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
    return buf.getvalue()
