"""Legal acts: their ids, their codes on zakon.rada.gov.ua, and how a card cites them.

zakon.rada.gov.ua names a law by its number and the Verkhovna Rada's
convocation: "5492-VI" (6th convocation of independent Ukraine, the 17th
counting from the Ukrainian SSR) → /laws/show/5492-17. Laws of 1994–98 keep
their "/97-ВР" numbers; Cabinet resolutions are "N-YYYY-п", orders "N-YYYY-р"
(two-digit years before 2000: "848-95-п").
Checking the link against the number catches a link to another act.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from knowledge.models import Act, ActRef, Text

# Codes whose page on zakon.rada is not derived from their number.
FIXED_CODES = {"code-admin-offences": "80731-10", "code-labour": "322-08"}

ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
# Cyrillic letters people type instead of the Latin look-alikes (and back).
LOOKALIKE = str.maketrans("АВЕІКМНОРСТХаеіорсух", "ABEIKMHOPCTXaeiopcyx")
# Cyrillic letters that occur in act numbers ("280/97-ВР", "119-Н", "791а-ХІІ"), for latin ids.
TRANSLIT = str.maketrans({"в": "v", "р": "r", "а": "a", "п": "p", "і": "i", "х": "x", "н": "n", "с": "s",
                          "о": "o", "е": "e", "к": "k", "м": "m", "т": "t"})


def fold(s: str) -> str:
    """Compare act numbers and link codes regardless of Cyrillic/Latin look-alikes and case."""
    return s.translate(LOOKALIKE).lower()


def roman_value(s: str) -> int | None:
    s = s.translate(LOOKALIKE).upper()
    if not s or any(ch not in ROMAN for ch in s):
        return None
    total = 0
    for i, ch in enumerate(s):
        v = ROMAN[ch]
        total += -v if i + 1 < len(s) and ROMAN[s[i + 1]] > v else v
    return total


def law_code(number: str) -> str | None:
    """zakon.rada code of a law by its number: "5492-VI" → "5492-17", "280/97-ВР" → "280/97-вр"."""
    number = number.strip()
    if re.fullmatch(r"\d+[^\W\d_]?/\d{2}-(?:ВР|BP|вр)", number):
        return number[:-2] + "вр"
    m = re.fullmatch(r"(\d+[^\W\d_]?)-([IVXLCІХ]+)", number)
    if not m:
        return None
    convocation = roman_value(m.group(2))
    if convocation is None:
        return None
    # Ukrainian SSR convocations (X, XI, XII) and "XIV" keep their number; independent Ukraine's
    # III…IX are counted on from the Ukrainian SSR's twelve: III → 14, IX → 20.
    return f"{m.group(1)}-{convocation if convocation >= 10 else convocation + 11:02d}"


def _order_number(number: str) -> str:
    """A Cabinet order is numbered "167-р"; its code and id use the bare 167."""
    return re.sub(r"-\s*[рp]$", "", number.strip())


def expected_code(act: Act) -> str | None:
    """The zakon.rada.gov.ua code this act must have, when it can be derived."""
    if act.id in FIXED_CODES:
        return FIXED_CODES[act.id]
    if act.kind in ("law", "code") and act.number:
        return law_code(act.number)
    if act.kind == "cmu-resolution" and act.number and act.date:
        return f"{act.number.strip()}-{_code_year(act.date.year)}-п"
    if act.kind == "cmu-order" and act.number and act.date:
        return f"{_order_number(act.number)}-{_code_year(act.date.year)}-р"
    return None


def _code_year(year: int) -> str:
    """Acts of the Cabinet before 2000 carry a two-digit year on zakon.rada ("848-95-п"), later ones four."""
    return str(year) if year >= 2000 else f"{year % 100:02d}"


def link_code(url: str) -> str | None:
    """The act code in a zakon.rada.gov.ua/laws/show/... link (None for other pages)."""
    parts = urlsplit(url)
    if not parts.hostname or not (parts.hostname == "zakon.rada.gov.ua" or parts.hostname.endswith(".zakon.rada.gov.ua")):
        return None
    path = unquote(parts.path)
    m = re.match(r"^/(?:go|laws/show)/(\d+[^\W\d_]?/\d{2}-вр|[^/]+)", path, flags=re.IGNORECASE)
    return m.group(1) if m else None


def _slug(number: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", number.lower().translate(TRANSLIT)).strip("-")


def expected_id(act: Act) -> str | None:
    """The id the content brief's convention gives this act (None where the id is free)."""
    if act.kind == "law" and act.number and not act.id.startswith("law-budget-"):
        return f"law-{_slug(act.number)}"
    if act.kind == "cmu-resolution" and act.number and act.date:
        return f"cmu-res-{_slug(act.number)}-{act.date.year}"
    if act.kind == "cmu-order" and act.number and act.date:
        return f"cmu-ord-{_slug(_order_number(act.number))}-{act.date.year}"
    return None


ID_PREFIX = {"law": "law-", "code": "code-", "cmu-resolution": "cmu-res-", "cmu-order": "cmu-ord-",
             "ministry-order": "mo-", "other": "act-"}


def citation(act: Act, lang: str, part: Text | None = None) -> str:
    """How a card names the act: uk "Закон … від 20.11.2012 № 5492-VI, ст. 21"."""
    text = act.title.get(lang)
    date = act.date.strftime("%d.%m.%Y") if act.date else None
    if lang == "uk":
        text += "".join(filter(None, [f" від {date}" if date else "", f" № {act.number}" if act.number else ""]))
    else:
        text += "".join(filter(None, [f" No. {act.number}" if act.number else "", f" of {date}" if date else ""]))
    if part is not None:
        text += ", " + part.get(lang)
    return text


def cited(ref: ActRef, acts: dict[str, Act], lang: str) -> str:
    act = acts.get(ref.act)
    return citation(act, lang, ref.part) if act else ref.act
