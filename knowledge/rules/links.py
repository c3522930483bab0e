"""Rule 4: links go only to official pages; a home page is not evidence; texts carry no raw URLs.

Allowed hosts are in domains.yaml (kb-v2 §4). Evidence may also cite any other
page in an evidence zone (gov.ua: registered only to public authorities), marked
`level: local` so a reviewer knows it is a council's or regional body's page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

from knowledge.acts import expected_code, fold, link_code
from knowledge.loader import KnowledgeBase
from knowledge.models import Domains, Reading
from knowledge.rules import Context, Problem
from knowledge.texts import iter_texts

RAW_URL_RE = re.compile(r"https?://|www\.|\b[\w-]+(?:\.[\w-]+)*\.(?:gov\.ua|com\.ua|org\.ua|ua|com|org|net|me)\b(?!\.\w)",
                        flags=re.IGNORECASE)
FEE_OR_TERM = {"cost", "term"}


def _under(host: str, zones: list[str]) -> bool:
    return any(host == z or host.endswith("." + z) for z in zones)


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def is_home_page(url: str) -> bool:
    parts = urlsplit(url)
    return parts.path in ("", "/") and not parts.query


def official(url: str, domains: Domains, community_site: str | None = None) -> bool:
    hosts = [*domains.official, *([_host(community_site)] if community_site else [])]
    return _under(_host(url), hosts)


def reading_problems(reading: Reading, domains: Domains, where: str, field: str) -> Iterator[Problem]:
    """A page cited as evidence: official, specific, and marked local when it is not a national body's."""
    host = _host(reading.url)
    if is_home_page(reading.url):
        yield Problem(4, where, f"{reading.url} is a home page; cite the specific page you read", field=field)
    if _under(host, domains.official):
        return
    if _under(host, domains.evidence_zones):
        if reading.level != "local":
            yield Problem(4, where, f"{host} is not a national body's site: add level: local", field=field)
    else:
        yield Problem(4, where, f"{host} is not an official site (see domains.yaml); news sites, law portals "
                      "and private services are leads, not evidence", field=field)


def links(kb: KnowledgeBase, ctx: Context) -> Iterator[Problem]:
    domains = kb.domains
    if domains is None:
        return
    code_pages = {fold(c) for a in kb.acts.values() if a.kind == "code" and (c := expected_code(a))}
    for sid, card in kb.authored.items():
        where = kb.files[sid]
        for i, link in enumerate(card.online):
            if not official(link.url, domains, kb.community.website):
                yield Problem(4, where, f"{_host(link.url)} is not an official online route (domains.yaml)",
                              field=f"online[{i}].url")
            elif is_home_page(link.url) and not _under(_host(link.url), domains.portals):
                yield Problem(4, where, f"{link.url} is a home page; link the page of this service",
                              field=f"online[{i}].url")
        for i, e in enumerate(card.evidence):
            yield from reading_problems(e, domains, where, f"evidence[{i}].url")
            code = link_code(e.url)
            if code and fold(code) in code_pages and FEE_OR_TERM & set(e.supports):
                yield Problem(4, where, "the text of a whole Code does not back a fee or a term; cite the page "
                              "that states them", field=f"evidence[{i}].supports")
        for path, text in iter_texts(card):
            for lang in ("uk", "en"):
                if m := RAW_URL_RE.search(getattr(text, lang)):
                    yield Problem(4, where, f"{m.group(0)!r}: no web addresses in text; links are buttons "
                                  "(online:) or evidence", field=f"{path}.{lang}")
    for act in kb.acts.values():
        if act.url and not official(act.url, domains):
            yield Problem(4, f"acts.yaml: record {act.id}", f"{_host(act.url)} is not an official site", field="url")
    for rid, record in kb.sourced_records():
        for i, reading in enumerate(record.evidence):
            yield from reading_problems(reading, domains, f"{kb.registry_files.get(rid, 'amounts.yaml')}: record {rid}",
                                        f"evidence[{i}].url")

