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

from babel.dates import format_date, format_datetime, format_skeleton, format_time
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


@cache
def genitive_uk(phrase: str) -> str:
    """A Ukrainian noun phrase in the genitive, for "помічник …": «Зразкова міська територіальна громада
    (демонстраційні дані)» → «Зразкової міської територіальної громади (демонстраційні дані)». Words in
    brackets and words the dictionary does not know stay as they are; capitals are kept."""
    from knowledge.search.morph import uk_analyzer

    morph, out, bracket = uk_analyzer(), [], False
    for word in phrase.split():
        bracket = bracket or word.startswith("(")
        parses = [] if bracket or not word.isalpha() else [p for p in morph.parse(word) if "nomn" in p.tag]
        inflected = parses[0].inflect({"gent"}) if parses else None
        new = inflected.word if inflected else word
        out.append(new[:1].upper() + new[1:] if word[:1].isupper() else new)
    return " ".join(out)


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

    # One date style in messages: words for people («7 грудня о 9:30»); tables use 30.11.2026.
    def day(self, value: dt.date, today: dt.date | None = None, weekday: bool = False) -> str:
        """«7 грудня» (with the year unless it is `today`'s), «пн, 7 грудня» with `weekday`."""
        same_year = today is not None and value.year == today.year
        skeleton = ("MMMMEd" if weekday else "MMMMd") if same_year else ("yMMMMEd" if weekday else "yMMMMd")
        return format_skeleton(skeleton, value, locale=self.lang)

    def when(self, moment: dt.datetime, tz: str, now: dt.datetime, relative: bool = True) -> str:
        """A moment in the community's time zone, in words: «завтра, 7 грудня, о 9:30» (today and
        tomorrow named when `relative`), otherwise «7 грудня о 9:30»."""
        zone = ZoneInfo(tz)
        local, today = moment.astimezone(zone), now.astimezone(zone).date()
        date, time = self.day(local.date(), today), format_time(local, "H:mm", locale=self.lang)
        days = (local.date() - today).days
        if relative and days in (0, 1):
            word = self.gettext("today") if days == 0 else self.gettext("tomorrow")
            return self.gettext("{day}, {date} at {time}").format(day=word, date=date, time=time)
        return self.gettext("on {date} at {time}").format(date=date, time=time)

    def of_community(self, name: str) -> str:
        """The community's name after "assistant of": genitive in Ukrainian («Зразкової … громади»)."""
        return genitive_uk(name) if self.lang == "uk" else name

    def table_date(self, value: dt.date) -> str:
        """30.11.2026: dates in tables and spreadsheets."""
        return format_date(value, "dd.MM.y", locale=self.lang) if self.lang == "uk" else value.isoformat()
