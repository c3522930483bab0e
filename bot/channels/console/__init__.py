"""Console channel: chat with the bot in a terminal, or pipe a scripted conversation in.

Each bot message is printed, then its buttons one per line as ``[N] label``.
Type N to press a button, or any text (a number that is not a button's, such
as a PIN code, is sent as text). With a non-interactive stdin the
conversation is read line by line and the program exits at the end of input.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

from bot.channels.base import Host
from bot.config import Settings
from bot.core.events import Button, Incoming, Location, Media, Reply
from bot.delivery.sender import Outcome, Pacing, Sender

if TYPE_CHECKING:
    from aiohttp import web

CHANNEL = "console"
# Things a terminal cannot send, typed as commands: ":photo", ":voice", ":document NAME", ":location 50.45 30.52".
MEDIA_COMMANDS = {":photo": "photo", ":voice": "voice", ":video": "video", ":sticker": "sticker", ":document": "document"}


class ConsoleChannel:
    def __init__(self, host: Host, user_id: str, lang: str | None, out: TextIO = sys.stdout):
        self.host = host
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
                if button.request_location:
                    print(f"    📍 {button.label}: type  :location LATITUDE LONGITUDE", file=self.out)
                elif button.url:
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
        word, _, rest = line.partition(" ")
        if word == ":location":
            try:
                lat, lon = (float(x) for x in rest.replace(",", " ").split())
                return Incoming(CHANNEL, self.user_id, "location", location=Location(lat, lon), lang_hint=self.lang)
            except ValueError:
                pass  # not two numbers in range: sent as text
        if word in MEDIA_COMMANDS:
            media = Media(MEDIA_COMMANDS[word], name=rest.strip())  # type: ignore[arg-type]
            return Incoming(CHANNEL, self.user_id, "media", media=media, lang_hint=self.lang)
        return Incoming.from_text(CHANNEL, self.user_id, line, lang_hint=self.lang)

    async def send(self, event: Incoming) -> None:
        self.render(await self.host.handle(event))

    async def run(self, stdin: TextIO = sys.stdin, start_payload: str = "",
                  delivery: Callable[[list[Sender]], object] | None = None) -> None:
        """Converse until the end of input; `delivery` builds the outbox worker for this console."""
        stop = asyncio.Event()
        worker = delivery([ConsoleSender(self)]) if delivery else None
        task = asyncio.create_task(worker.run(stop)) if worker is not None else None  # type: ignore[attr-defined]
        try:
            await self._converse(stdin, start_payload)
        finally:
            stop.set()
            if task is not None:
                await task

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


class ConsoleRuntime:
    """The console sends only to the person typing in this process (ConsoleSender, made by the CLI)."""

    sender: Sender | None = None

    def mount(self, app: web.Application) -> None:
        pass  # no webhooks

    async def close(self) -> None:
        pass


class ConsolePlugin:
    name = CHANNEL
    title = "Console"

    def enabled(self, settings: Settings) -> bool:
        return False  # started explicitly by `run_bot.py console`, never by serve/deliver

    def secrets(self, settings: Settings) -> list[str]:
        return []

    def deep_link(self, settings: Settings, payload: str) -> str | None:
        return f"python run_bot.py console --start {payload}"

    def pacing(self, settings: Settings) -> Pacing | None:
        return None

    def open(self, host: Host) -> ConsoleRuntime:
        return ConsoleRuntime()


CHANNEL_PLUGIN = ConsolePlugin()
