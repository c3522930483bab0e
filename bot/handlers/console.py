"""Console channel: chat with the bot in a terminal, or pipe a scripted conversation in.

Each bot message is printed, then its buttons one per line as ``[N] label``.
Type N to press a button, or any text (a number that is not a button's, such
as a PIN code, is sent as text). With a non-interactive stdin the
conversation is read line by line and the program exits at the end of input.
"""

from __future__ import annotations

import asyncio
import sys
from typing import TextIO

from bot.delivery.worker import DeliveryWorker, Outcome
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
        stop = asyncio.Event()
        worker = DeliveryWorker(self.core.db, self.core.kb, [ConsoleSender(self)], poll=self.core.settings.delivery_poll_seconds,
                                settings=self.core.settings)
        delivery = asyncio.create_task(worker.run(stop))
        try:
            await self._converse(stdin, start_payload)
        finally:
            stop.set()
            await delivery

    async def _converse(self, stdin: TextIO, start_payload: str) -> None:
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
            await self.send(self.to_event(line))


class ConsoleSender:
    """Notifications (e.g. a changed application status) printed while the console runs."""

    channel = CHANNEL

    def __init__(self, console: ConsoleChannel):
        self.console = console

    async def send(self, external_id: str, replies: list[Reply]) -> Outcome:
        if external_id != self.console.user_id:
            return Outcome("retry", retry_after=60, error="that console user is not connected")
        self.console.render(replies)
        return Outcome("sent")
