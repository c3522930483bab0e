"""Play a person against the conversation core, with no channel involved."""

from __future__ import annotations

from typing import Any

from bot.core.events import Button, Incoming, Reply


class Chat:
    def __init__(self, core: Any, user: str = "u1", channel: str = "console", lang: str | None = None):
        self.core = core
        self.user = user
        self.channel = channel
        self.lang = lang
        self.last: list[Reply] = []
        self.history: list[list[Reply]] = []

    async def _handle(self, event: Incoming) -> list[Reply]:
        self.last = await self.core.handle(event)
        self.history.append(self.last)
        return self.last

    async def send(self, text: str) -> list[Reply]:
        return await self._handle(Incoming.from_text(self.channel, self.user, text, self.lang))

    async def start(self, payload: str = "") -> list[Reply]:
        return await self._handle(Incoming(self.channel, self.user, "start", payload=payload, lang_hint=self.lang))

    async def press_payload(self, payload: str) -> list[Reply]:
        return await self._handle(Incoming(self.channel, self.user, "button", payload=payload, lang_hint=self.lang))

    def button(self, label_part: str, replies: list[Reply] | None = None) -> Button:
        buttons = [b for r in (replies if replies is not None else self.last) for b in r.all_buttons()]
        for b in buttons:
            if label_part in b.label and b.payload:
                return b
        raise AssertionError(f"no button with {label_part!r}; have {[b.label for b in buttons]}")

    async def press(self, label_part: str) -> list[Reply]:
        return await self.press_payload(self.button(label_part).payload)

    @property
    def text(self) -> str:
        return "\n".join(r.text for r in self.last)

    @property
    def labels(self) -> list[str]:
        return [b.label for r in self.last for b in r.all_buttons()]
