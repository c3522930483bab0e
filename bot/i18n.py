"""Translations from the gettext catalogs in locales/ (Babel).

Catalogs are read from the .po files at start (no compiled .mo in the repo to get
stale). Message ids are English; Ukrainian is the default interface language and
its catalog must be complete (tests/test_i18n.py fails otherwise).
"""

from __future__ import annotations

import datetime as dt
import io
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"
LANGUAGES = ("uk", "en")
DEFAULT_LANG = "uk"
LANGUAGE_NAMES = {"uk": "Українська", "en": "English"}


def N_(message: str) -> str:
    """Mark a string for extraction without translating it yet (module-level labels)."""
    return message


def normalize_lang(code: str | None) -> str:
    """Map a platform language hint ('uk', 'uk-UA', 'en-GB', 'ru') to a supported language."""
    base = (code or "").replace("_", "-").split("-")[0].lower()
    if base in LANGUAGES:
        return base
    # Russian-speaking users get Ukrainian (state language); other languages get English.
    return DEFAULT_LANG if base in ("", "ru", "be") else "en"


@cache
def translations(lang: str) -> NullTranslations:
    po = LOCALES_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po.exists():
        return NullTranslations()
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return Translations(buf, domain=DOMAIN)


class Translator:
    """gettext bound to one language, plus Babel formatting for dates and numbers."""

    def __init__(self, lang: str):
        self.lang = lang if lang in LANGUAGES else DEFAULT_LANG
        self._t = translations(self.lang)

    def gettext(self, message: str) -> str:
        return self._t.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._t.ngettext(singular, plural, n)

    def date(self, value: dt.date, fmt: str = "long") -> str:
        return format_date(value, format=fmt, locale=self.lang)

    def datetime(self, value: dt.datetime, fmt: str = "medium", tz: str | None = None) -> str:
        """A moment in the given time zone (the community's), in the reader's language."""
        return format_datetime(value, format=fmt, tzinfo=ZoneInfo(tz) if tz else None, locale=self.lang)

    def time(self, value: dt.time | dt.datetime, fmt: str = "short") -> str:
        return format_time(value, format=fmt, locale=self.lang)

    def number(self, value: float) -> str:
        return format_decimal(value, locale=self.lang)
