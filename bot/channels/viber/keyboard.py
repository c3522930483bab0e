"""Viber keyboards: our button rows laid out for older eyes, and presses recognised.

Viber has no callback queries. A "reply" button sends its ActionBody back as an
ordinary text message, so ActionBody carries our compact payload, and the
payloads of the keyboard on screen travel in the message's `tracking_data`
(Viber echoes it with the person's next message). A text is a press when:

* it is one of the payloads of the keyboard we last sent (the echo), or
* Viber marks it `silent` (only our buttons send silently; people cannot), or
* it is unmistakably machine-made: a registered action with arguments or a
  screen mark (`tick:id-card:2~1f`), e.g. from a keyboard that is no longer on
  screen; the core then answers "this menu is out of date" kindly.

Anything else is text, so a person who types "help" or "menu" gets the same
search answer as on Telegram, and a typed "svc:id-card" (that nobody types by
accident) opens the card it names.

Limits enforced (Viber's keyboard docs; a row of the grid is 6 columns):
Columns 1–6, Rows 1–2 per button, at most 24 buttons and 24 grid rows per
keyboard (portrait shows about 12; the rest scrolls). Button Text ≤ 250 characters.
"""

from __future__ import annotations

import html
import json
import logging
from collections.abc import Container

from bot.core import payloads
from bot.core.events import Button, Reply

log = logging.getLogger(__name__)

GRID_COLUMNS = 6
MAX_BUTTONS = 24
MAX_GRID_ROWS = 24
MAX_TEXT = 250
TRACKING_LIMIT = 4000
PAIR_LABEL = 14  # two labels this short share a line (3 columns each); longer ones get the full width
ONE_LINE_LABEL = 26  # longer labels get a double-height button so they wrap instead of shrinking
NAV_ACTIONS = frozenset({"menu", "back"})

ACTION_COLOUR = "#DCE8FA"  # light blue; with near-black text the contrast is about 15:1
NAV_COLOUR = "#EDEDED"
LINK_COLOUR = "#DFF2DF"
TEXT_COLOUR = "#111111"


def merged_rows(replies: list[Reply]) -> list[list[Button]]:
    """Viber shows one keyboard, so a batch's buttons are merged (in order, without repeats)."""
    seen: set[tuple[str | None, str | None]] = set()
    rows = []
    for reply in replies:
        for row in reply.buttons:
            fresh = [b for b in row if (b.payload, b.url) not in seen]
            seen.update((b.payload, b.url) for b in fresh)
            if fresh:
                rows.append(fresh)
    return rows


def _lines(rows: list[list[Button]], compact: bool) -> list[list[Button]]:
    """Visual lines: one button per line, or a pair of short ones."""
    lines = []
    for row in rows:
        if len(row) == 1:
            lines.append(row)
            continue
        limit = PAIR_LABEL * (2 if compact else 1)
        if all(len(b.label) <= limit for b in row):
            lines += [row[i : i + 2] for i in range(0, len(row), 2)]
        else:
            lines += [[b] for b in row]
    return lines


def _markup(label: str) -> str:
    """The button's Text: dark, escaped, within Viber's 250 characters (markup included)."""
    while len(text := f'<font color="{TEXT_COLOUR}">{html.escape(label, quote=False)}</font>') > MAX_TEXT:
        label = label[:-1]
    return text


def _button(b: Button, columns: int, rows: int, large: bool) -> dict:
    out = {
        "Columns": columns,
        "Rows": rows,
        "Text": _markup(b.label),
        "TextSize": "large" if large else "regular",
        "TextVAlign": "middle",
        "TextHAlign": "center",
        "Silent": True,  # the payload is not shown in the chat as if the person had typed it
    }
    if b.url:
        out.update(ActionType="open-url", ActionBody=b.url, BgColor=LINK_COLOUR)
    elif b.request_location:  # Viber opens its location picker; the answer comes as a location message
        out.update(ActionType="location-picker", ActionBody="location", BgColor=ACTION_COLOUR)
    else:
        if not b.payload:
            raise ValueError(f"button {b.label!r} has neither a payload nor a URL")
        action = b.payload.partition("~")[0].partition(":")[0]
        colour = NAV_COLOUR if action in NAV_ACTIONS else ACTION_COLOUR
        out.update(ActionType="reply", ActionBody=b.payload, BgColor=colour)
    return out


def _layout(lines: list[list[Button]], compact: bool) -> list[dict]:
    """Large text where the labels fit; a long label alone on its line gets a double-height button."""
    out = []
    for line in lines:
        per_line = ONE_LINE_LABEL if len(line) == 1 else PAIR_LABEL
        tall = not compact and len(line) == 1 and len(line[0].label) > per_line
        large = not compact and all(len(b.label) <= per_line * (2 if tall else 1) for b in line)
        out += [_button(b, GRID_COLUMNS // len(line), 2 if tall else 1, large) for b in line]
    return out


def grid_rows(buttons: list[dict]) -> int:
    """How many grid rows the buttons fill (lines of 6 columns, each as tall as its tallest button)."""
    total, used, tallest = 0, 0, 0
    for b in buttons:
        if used + b["Columns"] > GRID_COLUMNS:
            total, used, tallest = total + tallest, 0, 0
        used += b["Columns"]
        tallest = max(tallest, b["Rows"])
    return total + tallest


def keyboard(rows: list[list[Button]]) -> dict | None:
    """The Viber keyboard for these rows, or None. Roomy when it fits; compact when not; if even
    that is too big, the rows before the last (Back / Main menu) are dropped from the end."""
    if not rows:
        return None
    for compact in (False, True):
        buttons = _layout(_lines(rows, compact), compact)
        if len(buttons) <= MAX_BUTTONS and grid_rows(buttons) <= MAX_GRID_ROWS:
            break
    else:
        kept = list(rows)
        while len(kept) > 1:
            del kept[-2]
            buttons = _layout(_lines(kept, True), True)
            if len(buttons) <= MAX_BUTTONS and grid_rows(buttons) <= MAX_GRID_ROWS:
                break
        log.warning("a keyboard of %d rows is too big for Viber; %d rows dropped", len(rows), len(rows) - len(kept))
    return {"Type": "keyboard", "DefaultHeight": False, "BgColor": "#FFFFFF", "Buttons": buttons[:MAX_BUTTONS]}


# --- tracking data: the payloads of the keyboard on screen ---------------------------------


def tracking_data(kb: dict | None) -> str:
    sent = [b["ActionBody"] for b in (kb or {}).get("Buttons", []) if b["ActionType"] == "reply"]
    while True:
        text = json.dumps({"v": 1, "k": sent}, separators=(",", ":"))
        if len(text) <= TRACKING_LIMIT:
            return text
        sent.pop(0)  # cannot happen with ≤ 24 payloads of ≤ 64 bytes; kept safe anyway


def keyboard_payloads(tracking: str | None) -> frozenset[str]:
    """The payloads listed in echoed tracking data (which a client could alter: only a hint)."""
    try:
        data = json.loads(tracking or "")
        return frozenset(p for p in data.get("k", []) if isinstance(p, str))
    except (ValueError, AttributeError, TypeError):
        return frozenset()


def is_press(text: str, tracking: str | None, silent: bool | None, actions: Container[str]) -> bool:
    """Is this incoming text a press of one of our buttons? (See the module docstring.)"""
    try:
        p = payloads.decode(text)
    except payloads.PayloadError:
        return False
    if text in keyboard_payloads(tracking) or silent:
        return True
    return p.action in actions and bool(p.args or p.screen)
