"""A print-ready A4 poster: the office's name, a one-line call to action, the QR code(s).

The QR codes (segno) are drawn as vector shapes, so SVG and PDF print sharp at any size;
PNG is rendered at 300 dpi. Text uses DejaVu Sans (bundled with matplotlib, has Cyrillic);
in SVG it is turned into outlines so the poster looks the same on any computer.
"""

from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass

from bot.features.feedback.charts import FONT

A4_INCHES = (8.27, 11.69)
FORMATS = ("png", "svg", "pdf")
PNG_DPI = 300
QUIET_ZONE = 4  # modules of white around a QR code, as the standard asks


@dataclass(frozen=True)
class PosterCode:
    label: str  # "Telegram", "Viber"
    link: str
    caption: str = ""  # a typeable form of the link, if there is one


def _qr_path(link: str):
    """The dark modules of the link's QR code as one vector path (one rectangle per run of a row)."""
    import segno
    from matplotlib.path import Path

    qr = segno.make(link, error="m", micro=False)
    rows = [list(r) for r in qr.matrix_iter(border=QUIET_ZONE)]
    size = len(rows)
    verts, codes = [], []
    for y, row in enumerate(rows):
        x = 0
        while x < size:
            if not row[x]:
                x += 1
                continue
            start = x
            while x < size and row[x]:
                x += 1
            top = size - y  # row 0 at the top
            verts += [(start, top), (x, top), (x, top - 1), (start, top - 1), (start, top)]
            codes += [Path.MOVETO, Path.LINETO, Path.LINETO, Path.LINETO, Path.CLOSEPOLY]
    return Path(verts, codes), size


def _fit_text(fig, renderer, text: str, y: float, *, size: float, min_size: float, max_lines: int,
              width: float = 0.88, **style) -> float:
    """Place centred text at the largest size (and fewest lines) that fits `width` of the page;
    returns the y of its bottom edge."""
    for s in range(int(size), int(min_size) - 1, -1):
        for lines in range(1, max_lines + 1):
            wrapped = textwrap.fill(text, width=max(8, -(-len(text) // lines) + 2)) if lines > 1 else text
            artist = fig.text(0.5, y, wrapped, ha="center", va="top", fontsize=s, linespacing=1.2, **style)
            box = artist.get_window_extent(renderer).transformed(fig.transFigure.inverted())
            if box.width <= width and wrapped.count("\n") < max_lines:
                return box.y0
            artist.remove()
    artist = fig.text(0.5, y, text, ha="center", va="top", fontsize=min_size, **style)
    return artist.get_window_extent(renderer).transformed(fig.transFigure.inverted()).y0


def make_poster(fmt: str, *, heading: str, office: str, call_to_action: str, note: str,
                codes: list[PosterCode]) -> bytes:
    """The poster as PNG, SVG or PDF bytes."""
    if fmt not in FORMATS:
        raise ValueError(f"poster format must be one of {', '.join(FORMATS)}")
    if not 1 <= len(codes) <= 2:
        raise ValueError("a poster has one or two QR codes")
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import PathPatch

    with matplotlib.rc_context(FONT):  # type: ignore[arg-type]
        fig = Figure(figsize=A4_INCHES, dpi=PNG_DPI)
        canvas = FigureCanvasAgg(fig)
        renderer = canvas.get_renderer()
        y = _fit_text(fig, renderer, heading, 0.955, size=16, min_size=10, max_lines=2, color="#555555")
        y = _fit_text(fig, renderer, office, y - 0.02, size=34, min_size=18, max_lines=3, fontweight="bold")
        y = _fit_text(fig, renderer, call_to_action, y - 0.035, size=30, min_size=12, max_lines=1, width=0.94,
                      color="#1f5fa8", fontweight="bold")

        side = 0.62 if len(codes) == 1 else 0.42  # QR width as a share of the page width
        height = side * A4_INCHES[0] / A4_INCHES[1]
        block = height + 0.2  # the codes, their labels and the note under them
        top = y - 0.03 - max(0.0, (y - 0.03 - 0.04 - block) / 2)  # centred in the space left
        for n, code in enumerate(codes):
            centre = 0.5 if len(codes) == 1 else (0.27, 0.73)[n]
            ax = fig.add_axes((centre - side / 2, top - height, side, height))
            path, size = _qr_path(code.link)
            ax.add_patch(PathPatch(path, facecolor="black", edgecolor="none", antialiased=False))
            ax.set_xlim(0, size)
            ax.set_ylim(0, size)
            ax.set_aspect("equal")
            ax.axis("off")
            fig.text(centre, top - height - 0.012, code.label, ha="center", va="top", fontsize=24, fontweight="bold")
            if code.caption:
                fig.text(centre, top - height - 0.05, code.caption, ha="center", va="top", fontsize=12, color="#333333")
        _fit_text(fig, renderer, note, top - height - 0.1, size=18, min_size=11, max_lines=3, color="#333333")
        buf = io.BytesIO()
        fig.savefig(buf, format=fmt, dpi=PNG_DPI, metadata={"Creator": "Hromada Bot"} if fmt != "png" else None)
    return buf.getvalue()
