"""Contacts people type into free text that staff will read (survey comments): masked before storing.

A survey says «Це анонімно»; a comment with a phone number or an e-mail address would not be. The
masks keep the sentence readable ("Передзвоніть мені: ☎ ***") and say what was there.
"""

from __future__ import annotations

import re

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A run of 7–15 digits that may be split by spaces, dashes or brackets, with an optional "+" (not a date
# such as 01.12.2026, nor the digits of an application number such as ЦН-2026-00123).
_PHONE = re.compile(r"(?<![\w+\-/.])\+?\(?\d(?:[\s()-]{0,2}\d){6,14}(?!\w|\.\d)")
PHONE_MASK, EMAIL_MASK = "☎ ***", "✉ ***"


def mask_contacts(text: str) -> str:
    return _PHONE.sub(PHONE_MASK, _EMAIL.sub(EMAIL_MASK, text))
