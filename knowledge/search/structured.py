"""Structured things inside free text: application numbers, phone numbers, e-mails.

An application number sends the person to the status look-up instead of the
service search. Accepted shapes (anywhere in the message):

* «ЦН-2026-00124» — the CNAP prefix in Cyrillic or Latin look-alikes
  («CN», «ЦH», «CН»), any of «-», «/», «.», «_», space or nothing between parts;
* «01/2345» — a register number: 1–4 digits, a slash, 3–8 digits;
* a bare number of 5–12 digits.

A Ukrainian phone number («+380501112233», «0501112233», «050 111 22 33»)
is never taken for an application number. `mask_private()` hides phones,
e-mails and long numbers in text meant for logs.
"""

from __future__ import annotations

import re

# Phones first: their digits must not be read as an application number.
_PHONE_RE = re.compile(
    r"(?<![\w+])(?:\+?\s?3\s?8\s?[\s(-]*0\d{2}[\s)-]*|\(?0\d{2}\)?[\s-]*)\d{3}[\s-]?\d{2}[\s-]?\d{2}(?!\w)"
)
_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# «ЦН» in any mix of Cyrillic and Latin look-alikes: Ц/C/c/Ts, Н/H/N.
_PREFIXED_RE = re.compile(r"(?<![^\W_])(?:[ЦцCc]|ts|Ts|TS)\s?[НнHhNn][\s./_-]*(?:20\d{2})[\s./_-]*\d{2,8}(?![^\W_])")
_SLASHED_RE = re.compile(r"(?<![\w/])\d{1,4}/\d{3,8}(?![\w/])")
# A comma or full stop after the number ends the sentence part («Заява 00457812, подавав…»); one followed
# by a digit makes it a decimal or a grouped amount («12,500»), not a number.
_BARE_RE = re.compile(r"(?<![\w.,/-])\d{5,12}(?![\w/]|[.,]\d|-\d)")
# Any run of digits, maybe split by spaces, dashes, dots or brackets (card and account numbers).
_LONG_NUMBER_RE = re.compile(r"\d[\d\s().-]{3,}\d")
MIN_MASKED_DIGITS = 5


def find_phones(text: str) -> list[str]:
    return [m.group().strip() for m in _PHONE_RE.finditer(text)]


def find_app_number(text: str) -> str | None:
    """The first application number in `text`, as typed (phones and e-mails are never one)."""
    rest = _EMAIL_RE.sub(" ", _PHONE_RE.sub(" ", text))
    for rx in (_PREFIXED_RE, _SLASHED_RE, _BARE_RE):
        m = rx.search(rest)
        if m:
            return m.group().strip()
    return None


def mask_private(text: str) -> str:
    """Phones -> [phone], e-mails -> [email], other runs of 5+ digits -> [number]."""
    text = _EMAIL_RE.sub("[email]", text)
    text = _PHONE_RE.sub("[phone]", text)

    def number(m: re.Match) -> str:
        s = m.group()
        return "[number]" if sum(ch.isdigit() for ch in s) >= MIN_MASKED_DIGITS else s

    return _LONG_NUMBER_RE.sub(number, text)


__all__ = ["find_app_number", "find_phones", "mask_private"]
