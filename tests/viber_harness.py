"""The bot's web app (as `run_bot.py serve` runs it) on 127.0.0.1, wired to a FakeViber, and a person to play."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from aiohttp import web

from bot.channels.viber.names import WEBHOOK_PATH
from bot.channels.viber.webhook import WEBHOOK_KEY
from bot.core import payloads
from bot.delivery import outbox
from storage import people as repo
from storage.models import User
from tests.conftest import make_app, make_settings
from tests.fakes.viber_api import FakeViber, Sent

U = "Vb3xUser01+/AbC=="  # Viber ids are base64-like strings
KEY = "test-secret-key"


async def eventually(probe, expected, timeout: float = 5.0) -> None:
    """Wait for an async probe to return `expected` (work the bot does after acknowledging)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while (value := await probe()) != expected:
        assert asyncio.get_running_loop().time() < deadline, value
        await asyncio.sleep(0.02)


async def settled(core, timeout: float = 10.0) -> None:
    """Wait until everything due in the outbox has been delivered (an event's answers go out after the
    webhook answered)."""
    await eventually(lambda: outbox.open_rows(core.db, ["viber"]), 0, timeout)


class Harness:
    def __init__(self, fake: FakeViber, core, settings, app: web.Application):
        self.fake, self.core, self.settings, self.app = fake, core, settings, app
        self.hook = app[WEBHOOK_KEY]
        self.channel = self.hook.channel

    async def _after(self, user: str, act) -> list[Sent]:
        """Do something as the person; the bot's messages it caused, once the bot has finished."""
        before = len(self.fake.messages(user))
        assert await act == 200
        await self.settled()
        return self.fake.messages(user)[before:]

    async def settled(self) -> None:
        await settled(self.core)

    async def say(self, text: str, user: str = U, **kw) -> list[Sent]:
        return await self._after(user, self.fake.say(user, text, **kw))

    async def press(self, label: str, user: str = U) -> list[Sent]:
        return await self._after(user, self.fake.press(user, label))

    async def user(self, user: str = U) -> User | None:
        async with self.core.db.sessions() as s:
            return await repo.find_user(s, "viber", user)


@contextlib.asynccontextmanager
async def running_bot(fake: FakeViber, db_url: str, kb, tmp_path, features=None, **env) -> AsyncIterator[Harness]:
    settings = make_settings(db_url, VIBER_AUTH_TOKEN=fake.token, VIBER_API_BASE=fake.base_url,
                             VIBER_MEDIA_DIR=str(tmp_path / "media"), BOT_SECRET_KEY=KEY,
                             BOT_DELIVERY_POLL_SECONDS="0.05", **env)
    core = await make_app(settings, kb, **({"features": features} if features else {}))
    runner = web.AppRunner(core.web_app(core.open_channels()))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    base = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"
    fake.target = base + WEBHOOK_PATH
    if "PUBLIC_URL" not in env:
        settings.public_url = base  # pictures are fetched from here (real Viber would need https)
    try:
        yield Harness(fake, core, settings, runner.app)
    finally:
        await runner.cleanup()
        await core.close()


def assert_viber_would_accept_everything(fake: FakeViber) -> None:
    assert not fake.errors, fake.errors
    for m in fake.sent:
        for b in m.buttons():
            if b["ActionType"] == "reply":
                payloads.decode(b["ActionBody"])  # our compact payload, ≤ 64 bytes
