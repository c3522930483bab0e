"""Compact, opaque button payloads.

Format: ``action[:arg…][~screen]``: ASCII only, well under Telegram's 64-byte
callback-data limit. ``screen`` is set on buttons whose meaning depends on the
conversation's current state ("Back", ticking a checklist, confirming deletion);
the dispatcher rejects them as out of date once the conversation has moved on.
Buttons without it (open a service, open a category) stay valid forever.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_PAYLOAD_BYTES = 64
_ARG_RE = re.compile(r"^[A-Za-z0-9_.-]*$")


class PayloadError(ValueError):
    pass


@dataclass(frozen=True)
class Payload:
    action: str
    args: tuple[str, ...] = ()
    screen: str | None = None


def to_base36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    n = abs(n)
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if n == 0:
            return out


def encode(action: str, args: tuple[str, ...] = (), screen: str | None = None) -> str:
    for part in (action, *args):
        if not _ARG_RE.match(part) or ":" in part:
            raise PayloadError(f"payload part {part!r} must be ASCII letters, digits, '_', '.', '-'")
    text = ":".join((action, *args))
    if screen is not None:
        text += "~" + screen
    if len(text.encode()) > MAX_PAYLOAD_BYTES:
        raise PayloadError(f"payload {text!r} is longer than {MAX_PAYLOAD_BYTES} bytes")
    return text


def decode(text: str) -> Payload:
    if not text or len(text.encode("utf-8", "replace")) > MAX_PAYLOAD_BYTES:
        raise PayloadError("empty or oversized payload")
    body, sep, screen = text.partition("~")
    parts = body.split(":")
    if not all(_ARG_RE.match(p) for p in parts) or not parts[0] or (sep and not screen):
        raise PayloadError(f"malformed payload {text!r}")
    return Payload(parts[0], tuple(parts[1:]), screen if sep else None)
