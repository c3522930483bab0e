"""The core's replies as Viber messages (viberbot models), within Viber's limits.

* Text is split at 7,000 characters on sensible boundaries, and again where a
  part with the keyboard would push the request over 30 KB.
* Viber shows only the most recent keyboard, so the batch's buttons go, merged,
  with its last message, and their payloads in that message's tracking_data.
* `edit` replies are sent as new messages (Viber cannot edit).
* Pictures need a public URL (see media.py). Without PUBLIC_URL, or for a
  caption longer than a picture's text may be, the words go as a text message.
* `combine` joins all text into as few messages as possible: for the welcome
  message (Viber takes exactly one in the conversation_started response) and
  for proactive messages (each one outside a 24-hour session is paid).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from viberbot.api.messages import FileMessage, KeyboardMessage, PictureMessage, TextMessage

from bot.channels.textsplit import split_text
from bot.channels.viber.client import MAX_REQUEST_BYTES, ViberApi
from bot.channels.viber.keyboard import keyboard, merged_rows, tracking_data
from bot.channels.viber.media import picture_ok
from bot.core.events import Attachment, Reply

TEXT_LIMIT = 7000
CAPTION_LIMIT = 120  # a picture's text: the older docs' 120, stricter than the newer 512
FILE_NAME_LIMIT = 256

MediaUrl = Callable[[Attachment], Awaitable[str | None]]


async def _attachment(att: Attachment, media_url: MediaUrl) -> list[dict[str, Any]]:
    url = await media_url(att)
    caption = att.caption.strip()
    if url is None:
        return [TextMessage(text=caption).to_dict()] if caption else []
    out = []
    if len(caption) > CAPTION_LIMIT or (caption and not picture_ok(att)):
        out.append(TextMessage(text=caption).to_dict())
        caption = ""
    if picture_ok(att):
        out.append(PictureMessage(media=url, text=caption).to_dict())
    else:
        out.append(FileMessage(media=url, size=len(att.data), file_name=att.filename[-FILE_NAME_LIMIT:]).to_dict())
    return out


def _fits(message: dict[str, Any], envelope: dict[str, Any]) -> bool:
    return len(ViberApi.encode({**envelope, **message})) <= MAX_REQUEST_BYTES


def _split_to_fit(messages: list[dict[str, Any]], envelope: dict[str, Any]) -> list[dict[str, Any]]:
    """Split text messages that are too big in bytes (the keyboard and tracking data stay on the last part)."""
    out: list[dict[str, Any]] = []
    for m in messages:
        too_big = m.get("type") == "text" and not _fits(m, envelope)
        parts = split_text(m["text"], (len(m["text"]) + 1) // 2) if too_big else []
        if len(parts) < 2:
            out.append(m)  # fits, or cannot be split (then the client refuses it loudly)
            continue
        pieces = [TextMessage(text=p).to_dict() for p in parts[:-1]] + [{**m, "text": parts[-1]}]
        out += _split_to_fit(pieces, envelope)
    return out


async def render(
    replies: list[Reply], media_url: MediaUrl, *, envelope: dict[str, Any], combine: bool = False
) -> list[dict[str, Any]]:
    """Message dicts ready for send_message (the envelope, receiver and sender, is added by the caller)."""
    if combine:
        text = "\n\n".join(r.text.strip() for r in replies if r.text.strip())
        parts = [(text, [a for r in replies for a in r.attachments])]
    else:
        parts = [(r.text, r.attachments) for r in replies]
    messages: list[dict[str, Any]] = []
    for text, attachments in parts:
        if text.strip():
            messages += [TextMessage(text=part).to_dict() for part in split_text(text, TEXT_LIMIT)]
        for att in attachments:
            messages += await _attachment(att, media_url)
    kb = keyboard(merged_rows(replies))
    if kb and not messages:
        messages.append(KeyboardMessage(keyboard=kb).to_dict())
    if messages:
        messages[-1]["tracking_data"] = tracking_data(kb)
        if kb:
            messages[-1]["keyboard"] = kb
    return _split_to_fit(messages, envelope)
