"""Input hygiene: what a chat message may carry that must never be searched, shown, stored or logged.

* terminal escape sequences (ANSI CSI/OSC: «\\x1b[31m»), control characters,
  bidi overrides/isolates (they can make a quoted text read backwards),
  zero-width characters and lone surrogates are removed;
* letters typed as base + combining mark are composed (NFC);
* whitespace runs fold to one space; the text is cut to a length limit.

`excerpt()` shortens a cleaned text for quoting it back to the person, cut
on a word boundary with «…».
"""

from __future__ import annotations

import re
import unicodedata

# ESC [ ... final byte (CSI), ESC ] ... BEL/ST (OSC), and two-byte ESC sequences.
_ANSI_RE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]?|\x9b[0-?]*[ -/]*[@-~]")
# Bidi embeddings/overrides/isolates and marks, zero-width characters, BOM, soft hyphen, word joiner.
_INVISIBLE = "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064" \
             "\u2066\u2067\u2068\u2069\ufeff\u00ad\u180e\u061c"
_INVISIBLE_TABLE = {ord(c): None for c in _INVISIBLE}
_SPACES_RE = re.compile(r"\s+")

EXCERPT_CHARS = 60


def _drop_char(ch: str) -> bool:
    cat = unicodedata.category(ch)
    # Cc: control characters (tabs and newlines become spaces earlier); Cs: lone surrogates;
    # Co/Cn: private-use and unassigned code points, which no keyboard types.
    return cat in ("Cc", "Cs", "Co", "Cn")


def clean_text(text: str, max_chars: int | None = None) -> str:
    """`text` without escape codes, control/invisible characters, with single spaces; at most `max_chars`."""
    if not text:
        return ""
    text = _ANSI_RE.sub(" ", text)
    text = text.translate(_INVISIBLE_TABLE)
    if not text.isprintable():  # most messages are: nothing to drop or replace, and no loop over characters
        text = "".join(" " if ch in "\t\n\r\v\f\x85\u2028\u2029" else ch
                       for ch in text if ch.isspace() or not _drop_char(ch))
    # NFC after the surrogates are gone (normalising a lone surrogate would raise on encoding later).
    text = unicodedata.normalize("NFC", text)
    text = _SPACES_RE.sub(" ", text).strip()
    if max_chars is not None and len(text) > max_chars:
        text = cut_on_word(text, max_chars, ellipsis=False)
    return text


def cut_on_word(text: str, limit: int, ellipsis: bool = True) -> str:
    """`text` cut to at most `limit` characters at a word boundary (plus «…» when `ellipsis`)."""
    if len(text) <= limit:
        return text
    room = limit - 1 if ellipsis else limit
    head = text[:room]
    space = head.rfind(" ")
    if space >= room // 2:  # a word boundary not too far back; else cut inside a very long word
        head = head[:space]
    head = head.rstrip(" ,.;:-–—")
    return head + "…" if ellipsis else head


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """A short quote of an already cleaned text, for «I could not find “…”»."""
    return cut_on_word(text, limit)


__all__ = ["clean_text", "cut_on_word", "excerpt", "EXCERPT_CHARS"]
