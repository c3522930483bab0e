"""Console channel: chat with the bot in a terminal, or pipe a scripted conversation in.

Each bot message is printed, then its buttons one per line as ``[N] label``.
Type N to press a button, or any text. With a non-interactive stdin the
conversation is read line by line and the program exits at the end of input.
"""

from __future__ import annotations

import asyncio
import sys
from typing import TextIO

from bot.dialogs.core import BotCore
from bot.dialogs.events import Button, Incoming, Reply

CHANNEL = "console"


class ConsoleChannel:
    def __init__(self, core: BotCore, user_id: str, lang: str | None, out: TextIO = sys.stdout):
        self.core = core
        self.user_id = user_id
        self.lang = lang
        self.out = out
        self.buttons: list[Button] = []

    def render(self, replies: list[Reply]) -> None:
        self.buttons = []
        for reply in replies:
            print(reply.text, file=self.out)
            for attachment in reply.attachments:
                print(f"(file: {attachment.filename}, {len(attachment.data)} bytes)", file=self.out)
            for button in reply.all_buttons():
                if button.url:
                    print(f"    {button.label}: {button.url}", file=self.out)
                else:
                    self.buttons.append(button)
                    print(f"  [{len(self.buttons)}] {button.label}", file=self.out)
            print(file=self.out)
        self.out.flush()

    def to_event(self, line: str) -> Incoming:
        line = line.strip()
        if line.isdigit() and 1 <= int(line) <= len(self.buttons):
            return Incoming(CHANNEL, self.user_id, "button", payload=self.buttons[int(line) - 1].payload or "")
        return Incoming.from_text(CHANNEL, self.user_id, line, lang_hint=self.lang)

    async def send(self, event: Incoming) -> None:
        self.render(await self.core.handle(event))

    async def run(self, stdin: TextIO = sys.stdin, start_payload: str = "") -> None:
        await self.send(Incoming(CHANNEL, self.user_id, "start", payload=start_payload, lang_hint=self.lang))
        interactive = stdin.isatty()
        loop = asyncio.get_running_loop()
        while True:
            if interactive:
                print("> ", end="", file=self.out, flush=True)
            line = await loop.run_in_executor(None, stdin.readline)
            if not line:  # end of input
                break
            if not line.strip():
                continue
            if not interactive:
                print(f"> {line.strip()}", file=self.out)  # echo so a transcript reads as a dialogue
            if line.strip().isdigit() and self.buttons and not 1 <= int(line) <= len(self.buttons):
                print(f"(there is no button [{line.strip()}]; type 1–{len(self.buttons)} or any text)\n", file=self.out)
                continue
            await self.send(self.to_event(line))
