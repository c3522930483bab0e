"""Deep-link payloads for feedback QR codes: short, opaque, versioned, with no personal data.

    fb1_<office>[_s<service>][_w<window>]      e.g. fb1_m3tq7kd, fb1_m3tq7kd_s4xk2abc_w3

`fb1` is the version: a future scheme gets `fb2` and old posters keep working as long as
`fb1` is handled. Office and service appear as 7-letter codes derived from their stable
ids (README: ids are used in links and QR codes), so a poster says nothing readable and
stays within Telegram's 64 characters of A-Z a-z 0-9 _ -. An office or service removed
from the knowledge base makes its code unknown: the person gets the friendly
"link out of date" answer (office) or the office's survey (service).
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from bot.features.feedback.surveys import WINDOW_RE
from knowledge.loader import KnowledgeBase

PREFIX = "fb1"
CODE_LEN = 7  # 35 bits: collisions among a community's ids are checked, never expected


def code(kind: str, ident: str) -> str:
    digest = hashlib.sha256(f"{kind}:{ident}".encode()).digest()
    return base64.b32encode(digest).decode().lower()[:CODE_LEN]


@dataclass(frozen=True)
class Target:
    office: str
    service: str | None = None
    window: str | None = None


def make_payload(target: Target) -> str:
    parts = [PREFIX, code("office", target.office)]
    if target.service:
        parts.append("s" + code("service", target.service))
    if target.window:
        if not WINDOW_RE.match(target.window):
            raise ValueError(f"window {target.window!r} must be 1–8 letters or digits")
        parts.append("w" + target.window)
    return "_".join(parts)


def parse_payload(rest: str, kb: KnowledgeBase) -> Target | None:
    """The part after `fb1_`; None when the office is unknown or the payload is malformed."""
    office_code, *extra = rest.split("_")
    offices = {code("office", oid): oid for oid in kb.offices}
    office = offices.get(office_code)
    service = window = None
    for part in extra:
        if part.startswith("s") and service is None:
            # A retired service: the office's own survey still takes the visitor's feedback.
            service = {code("service", sid): sid for sid in kb.services}.get(part[1:], "")
        elif part.startswith("w") and window is None and WINDOW_RE.match(part[1:]):
            window = part[1:]
        else:
            return None
    if office is None:
        return None
    return Target(office, service or None, window)


def code_collisions(kb: KnowledgeBase) -> list[str]:
    problems = []
    for kind, ids in (("office", kb.offices), ("service", kb.services)):
        seen: dict[str, str] = {}
        for ident in ids:
            c = code(kind, ident)
            if c in seen:
                problems.append(f"{kind}s {seen[c]!r} and {ident!r} share the QR code {c!r}: rename one id")
            seen[c] = ident
    return problems
