"""Deep links into the bot, for invites, receipts and posters.

Payloads are short, opaque and ASCII (`svc_…`, `app_…`, `inv_…`, `fb_…`): Telegram
allows at most 64 characters of A-Z a-z 0-9 _ - in `?start=`; Viber passes the same
string as `context` in its conversation_started event.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from bot.config import Settings

PAYLOAD_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def check_payload(payload: str) -> str:
    if not PAYLOAD_RE.match(payload):
        raise ValueError(f"deep-link payload {payload!r} must be 1–64 characters of A-Z a-z 0-9 _ -")
    return payload


def telegram_link(settings: Settings, payload: str) -> str | None:
    if not settings.telegram_bot_username:
        return None
    return f"https://t.me/{settings.telegram_bot_username.lstrip('@')}?start={check_payload(payload)}"


def viber_link(settings: Settings, payload: str) -> str | None:
    if not settings.viber_bot_uri:
        return None
    return f"viber://pa?chatURI={quote(settings.viber_bot_uri)}&context={check_payload(payload)}"


def all_links(settings: Settings, payload: str) -> dict[str, str]:
    """Every configured channel's link, plus the console form for trying it locally."""
    links = {"console": f"python run_bot.py console --start {check_payload(payload)}"}
    for name, make in (("telegram", telegram_link), ("viber", viber_link)):
        link = make(settings, payload)
        if link:
            links[name] = link
    return links
