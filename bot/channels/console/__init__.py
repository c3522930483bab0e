"""Console channel: chat with the bot in a terminal, or pipe a scripted conversation in.

Each bot message is printed, then its buttons one per line as ``[N] label``.
Type N to press a button, ``[words]`` to press the first button whose label contains
them (handy in scripts), or any text (a number that is not a button's, such
as a PIN code, is sent as text). A rating scale ("5 — Чудово" … "1 — Дуже погано")
is numbered by its own digits, so typing 5 means 5. A notification that arrives
while a screen is shown adds its buttons after the screen's, whose numbers stay.
Files the bot sends (QR codes, charts) are saved in a folder and their path is
printed. With a non-interactive stdin the conversation is read line by line and
the program exits at the end of input; Ctrl-C ends it at once.
"""

from __future__ import annotations

import asyncio
import re
import sys
import threading
from collections.abc import Callable
from pathlib import Path
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
FILES_DIR = Path("data") / "console-files"
_SCALE = re.compile(r"^(\d) — ")


def numbering(labels: list[str]) -> list[int]:
    """The number of each button on a new screen: 1, 2, 3…, except that a rating scale's buttons
    ("5 — Чудово" … "1 — Дуже погано") carry their own digit and the other buttons follow them."""
    digits = [int(m.group(1)) if (m := _SCALE.match(label)) else None for label in labels]
    scale = [d for d in digits if d is not None]
    if len(scale) < 2 or sorted(scale) != list(range(1, len(scale) + 1)):
        return list(range(1, len(labels) + 1))
    rest = iter(range(len(scale) + 1, len(labels) + 1))
    return [d if d is not None else next(rest) for d in digits]


class ConsoleChannel:
    def __init__(self, host: Host, user_id: str, lang: str | None, out: TextIO = sys.stdout,
                 files_dir: Path = FILES_DIR):
        self.host = host
        self.user_id = user_id
        self.lang = lang
        self.out = out
        self.files_dir = files_dir
        self.buttons: dict[int, Button] = {}  # the numbers valid now: the screen's, then any notification's

    def render(self, replies: list[Reply], notification: bool = False) -> None:
        """Print replies. An answer to what the person typed starts a new screen (numbering from 1);
        a notification keeps the screen's numbers and adds its own after them."""
        if not notification:
            self.buttons = {}
        pressable = [b for reply in replies for b in reply.all_buttons() if not b.request_location and not b.url]
        first = max(self.buttons, default=0)
        numbers = numbering([b.label for b in pressable]) if first == 0 else range(first + 1, first + 1 + len(pressable))
        number_of = {id(b): n for b, n in zip(pressable, numbers, strict=True)}
        for reply in replies:
            print(reply.text, file=self.out)
            for attachment in reply.attachments:
                print(f"(file saved: {self._save(attachment.filename, attachment.data)})", file=self.out)
            for button in reply.all_buttons():
                if button.request_location:
                    print(f"    📍 {button.label}: type  :location LATITUDE LONGITUDE", file=self.out)
                elif button.url:
                    print(f"    {button.label}: {button.url}", file=self.out)
                else:
                    n = number_of[id(button)]
                    self.buttons[n] = button
                    print(f"  [{n}] {button.label}", file=self.out)
            print(file=self.out)
        self.out.flush()

    def _save(self, filename: str, data: bytes) -> Path:
        """Keep a file the bot sent where the person can open it (a new name if one is there already)."""
        self.files_dir.mkdir(parents=True, exist_ok=True)
        name = Path(filename).name or "file"
        target, n = self.files_dir / name, 1
        while target.exists():
            n += 1
            target = self.files_dir / f"{Path(name).stem}-{n}{Path(name).suffix}"
        target.write_bytes(data)
        return target.resolve()

    def to_event(self, line: str) -> Incoming:
        line = line.strip()
        if line.isdigit() and int(line) in self.buttons:
            return Incoming(CHANNEL, self.user_id, "button", payload=self.buttons[int(line)].payload or "")
        if line.startswith("[") and line.endswith("]") and len(line) > 2:
            words = line[1:-1].strip().casefold()
            match = next((b for _n, b in sorted(self.buttons.items()) if words in b.label.casefold()), None)
            if match is not None:
                return Incoming(CHANNEL, self.user_id, "button", payload=match.payload or "")
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
        lines = _read_lines(stdin)
        while True:
            if interactive:
                print("> ", end="", file=self.out, flush=True)
            line = await lines.get()
            if line is None:  # end of input
                break
            if not line.strip():
                continue
            if not interactive:
                print(f"> {line.strip()}", file=self.out)  # echo so a transcript reads as a dialogue
            await self.send(self.to_event(line))


def _read_lines(stdin: TextIO) -> asyncio.Queue[str | None]:
    """Lines of stdin as they come, read in a daemon thread: Ctrl-C ends the program at once instead of
    waiting for the blocked read (an executor thread would hold the exit until Enter)."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str | None] = asyncio.Queue()

    def put(line: str | None) -> None:
        try:
            loop.call_soon_threadsafe(queue.put_nowait, line)
        except RuntimeError:  # the loop has closed: the program is ending
            pass

    def read() -> None:
        for line in iter(stdin.readline, ""):
            put(line)
        put(None)

    threading.Thread(target=read, name="console-stdin", daemon=True).start()
    return queue


class ConsoleSender:
    """Notifications (e.g. a changed application status) printed while the console runs — only for the
    person typing in this console: the delivery worker leaves other console users' messages alone."""

    channel = CHANNEL

    def __init__(self, console: ConsoleChannel):
        self.console = console
        self.recipients = frozenset({console.user_id})

    async def send(self, external_id: str, replies: list[Reply]) -> Outcome:
        if external_id != self.console.user_id:  # not claimed for us; kept as a safeguard
            return Outcome("retry", retry_after=60, error="that console user is not connected")
        self.console.render(replies, notification=True)
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
