"""The channel-neutral vocabulary: what comes in from a person, what goes back out.

Channel adapters translate platform updates into `Incoming` and render `Reply`
within their platform's limits; the flows never see a platform object.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

EventKind = Literal["text", "button", "command", "start"]


@dataclass(frozen=True)
class Incoming:
    channel: str  # "console" | "telegram" | "viber"
    user_id: str  # the platform's id of the person (chat id, Viber user id)
    kind: EventKind
    text: str = ""  # what the person typed; for commands, the argument after the command
    payload: str = ""  # button payload, or the deep-link payload of a start event
    command: str = ""  # command name without "/", lower-case
    lang_hint: str | None = None  # the platform's idea of the person's language (first guess only)
    # False for events the platform sends without the person writing (Viber's conversation_started):
    # they do not open Viber's free 24-hour messaging session.
    written: bool = True

    @classmethod
    def from_text(cls, channel: str, user_id: str, text: str, lang_hint: str | None = None) -> Incoming:
        """Parse typed text: "/start PAYLOAD", "/help", or free text."""
        text = (text or "").strip()
        if text.startswith("/") and len(text) > 1:
            name, _, arg = text[1:].partition(" ")
            name = name.split("@", 1)[0].lower()  # "/start@MyBot" in groups
            if name == "start":
                return cls(channel, user_id, "start", payload=arg.strip(), lang_hint=lang_hint)
            return cls(channel, user_id, "command", text=arg.strip(), command=name, lang_hint=lang_hint)
        return cls(channel, user_id, "text", text=text, lang_hint=lang_hint)


@dataclass(frozen=True)
class Button:
    label: str
    payload: str | None = None  # opaque, short, ASCII; pressed → Incoming(kind="button")
    url: str | None = None  # a link button instead of a payload


@dataclass(frozen=True)
class Attachment:
    kind: Literal["image", "document"]
    filename: str
    data: bytes
    caption: str = ""


@dataclass
class Reply:
    text: str
    buttons: list[list[Button]] = field(default_factory=list)  # rows of buttons
    attachments: list[Attachment] = field(default_factory=list)
    # Replace the message whose button was pressed, where the channel can (Telegram);
    # other channels send it as a new message.
    edit: bool = False

    def all_buttons(self) -> list[Button]:
        return [b for row in self.buttons for b in row]
