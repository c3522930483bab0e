"""Answers to a person as outbox rows: `Reply` objects to JSON and back (files as base64)."""

from __future__ import annotations

import base64
from typing import Any

from bot.core.events import Attachment, Button, Reply


def encode(replies: list[Reply]) -> list[dict[str, Any]]:
    return [
        {
            "text": r.text,
            "buttons": [[{k: v for k, v in (("label", b.label), ("payload", b.payload), ("url", b.url),
                                             ("location", b.request_location)) if v} for b in row] for row in r.buttons],
            "files": [{"kind": a.kind, "name": a.filename, "caption": a.caption, "data": base64.b64encode(a.data).decode()}
                      for a in r.attachments],
            "edit": r.edit,
        }
        for r in replies
    ]


def decode(data: list[dict[str, Any]]) -> list[Reply]:
    return [
        Reply(
            text=r.get("text", ""),
            buttons=[[Button(b["label"], b.get("payload"), b.get("url"), bool(b.get("location"))) for b in row]
                     for row in r.get("buttons", [])],
            attachments=[Attachment(a["kind"], a["name"], base64.b64decode(a["data"]), a.get("caption", ""))
                         for a in r.get("files", [])],
            edit=bool(r.get("edit")),
        )
        for r in data
    ]
