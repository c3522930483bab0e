"""The channel-neutral vocabulary: what comes in from a person, what goes back out.

Channel adapters translate platform updates into `Incoming` and render `Reply`
within their platform's limits; the flows never see a platform object.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

EventKind = Literal["text", "button", "command", "start", "media", "location"]
MediaKind = Literal["photo", "document", "voice", "audio", "video", "sticker", "other"]


@dataclass(frozen=True)
class Media:
    """A file the person sent. Only what the platform tells about it; the bytes stay with the platform."""

    kind: MediaKind
    file_ref: str = ""  # the platform's id or URL of the file, to fetch it if a flow ever needs it
    mime: str = ""
    size: int = 0
    name: str = ""


@dataclass(frozen=True)
class Location:
    latitude: float
    longitude: float

    def __post_init__(self) -> None:
        if not (-90 <= self.latitude <= 90 and -180 <= self.longitude <= 180):
            raise ValueError("latitude/longitude out of range")


@dataclass(frozen=True)
class Incoming:
    channel: str  # the channel plug-in's name: "console" | "telegram" | "viber" | …
    user_id: str  # the platform's id of the person (chat id, Viber user id)
    kind: EventKind
    text: str = ""  # what the person typed; for commands, the argument after the command; a media caption
    payload: str = ""  # button payload, or the deep-link payload of a start event
    command: str = ""  # command name without "/", lower-case
    lang_hint: str | None = None  # the platform's idea of the person's language (first guess only)
    # False for events the platform sends without the person writing (Viber's conversation_started):
    # they do not open Viber's free 24-hour messaging session.
    written: bool = True
    media: Media | None = None  # kind == "media"
    location: Location | None = None  # kind == "location"

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
    # Asks the messenger to share the person's location (→ Incoming(kind="location")).
    request_location: bool = False


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
