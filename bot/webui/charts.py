"""Charts as small accessible SVG, always shown beside a table of the same numbers.

The SVG is an image with a title and a one-sentence description (role="img"); screen-reader users
read the table instead. Plain SVG with no script: it prints, zooms and needs nothing at run time.
Colours meet WCAG contrast against white (bars ≥ 3:1, text ≥ 4.5:1).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

from markupsafe import Markup

BAR = "#1f5fa8"  # 6.3:1 on white
SECOND = "#b35900"  # 4.6:1 on white
TEXT = "#1a1a1a"
GRID = "#767676"
_ids = itertools.count(1)


@dataclass
class Chart:
    """What a chart shows; the template draws the table from the same object."""

    title: str
    labels: list[str]  # x-axis (days, weeks, months) or bar names
    series: Sequence[tuple[str, Sequence[float | None]]]  # (name, one value per label)
    unit: str = ""
    kind: str = "bars"  # "bars" (first series) or "line" (every series)
    max_value: float | None = None  # fixed scale top (e.g. 5 for ratings)
    description: str = ""
    formats: list[str] = field(default_factory=list)  # the numbers as the table shows them, per series (optional)

    @property
    def empty(self) -> bool:
        return not any(v for _name, values in self.series for v in values if v)

    def svg(self) -> Markup:
        return render_svg(self)


def _step(vmax: float, ticks: int = 4) -> float:
    """A round grid step (1, 2 or 5 × 10ⁿ, at least 1) so that `ticks` steps reach `vmax`."""
    raw = max(vmax / ticks, 1.0)
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)


def _short(number: float) -> str:
    if number >= 10000:
        return f"{number / 1000:.0f}k"
    if number >= 1000:
        return f"{number / 1000:.1f}k"
    return f"{number:g}"


def render_svg(chart: Chart, width: int = 720, height: int = 260) -> Markup:
    """The chart as an inline <svg> element (escaped text; safe to put in a page)."""
    uid = next(_ids)
    left, right, top, bottom = 56, 12, 16, 58
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for _n, vs in chart.series for v in vs if v is not None]
    step = 1.0 if chart.max_value and chart.max_value <= 10 else _step(chart.max_value or max(values, default=0))
    lines = round(chart.max_value / step) if chart.max_value else 4
    vmax = chart.max_value or step * lines
    n = max(len(chart.labels), 1)
    slot = plot_w / n
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" class="chart" '
        f'aria-labelledby="chart-t{uid} chart-d{uid}" preserveAspectRatio="xMidYMid meet">',
        f'<title id="chart-t{uid}">{escape(chart.title)}</title>',
        f'<desc id="chart-d{uid}">{escape(chart.description or chart.title)}</desc>',
    ]
    for k in range(lines + 1):  # grid lines and the scale
        value = step * k
        y = top + plot_h - plot_h * value / vmax
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}" stroke-width="0.5"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="12" fill="{TEXT}">{_short(value)}</text>')
    every = max(1, -(-n // 12))  # at most ~12 labels under the axis
    for i, label in enumerate(chart.labels):
        if i % every:
            continue
        x = left + slot * (i + 0.5)
        parts.append(f'<text x="{x:.1f}" y="{height - bottom + 18}" text-anchor="middle" font-size="12" fill="{TEXT}">'
                     f'{escape(label[:14])}</text>')
    if chart.kind == "bars" and chart.series:
        _name, data = chart.series[0]
        for i, v in enumerate(data):
            if not v:
                continue
            h = plot_h * min(v, vmax) / vmax
            x = left + slot * i + slot * 0.15
            parts.append(f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{slot * 0.7:.1f}" height="{h:.1f}" fill="{BAR}"/>')
    else:
        for (_name, data), colour in zip(chart.series, itertools.cycle((BAR, SECOND))):
            points = [(left + slot * (i + 0.5), top + plot_h - plot_h * min(v, vmax) / vmax)
                      for i, v in enumerate(data) if v is not None]
            if len(points) > 1:
                path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
                parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.5"/>')
            for x, y in points:
                parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}"/>')
    if chart.kind == "line" and len(chart.series) > 1:  # a legend, since colour alone must not tell the lines apart
        for k, ((name, _data), colour) in enumerate(zip(chart.series, itertools.cycle((BAR, SECOND)))):
            x = left + 8 + k * 220
            parts.append(f'<rect x="{x}" y="{height - 22}" width="14" height="4" fill="{colour}"/>')
            parts.append(f'<text x="{x + 20}" y="{height - 16}" font-size="12" fill="{TEXT}">{escape(name[:28])}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
