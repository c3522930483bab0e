"""A channel is a plug-in: an in-memory channel defined here, and nowhere else, works end to end.

It takes part in conversations, receives queued messages through the delivery worker (with its
own pacing), gets its webhook mounted by the web server, offers deep links, has its secret kept out
of the logs, and a block it discovers follows the one unreachable rule — with no edit anywhere else.
"""

from __future__ import annotations

import logging

import aiohttp
from aiohttp import web

from bot.app import CHANNELS, secrets_of
from bot.core.events import Incoming, Reply
from bot.delivery import outbox
from bot.delivery.sender import Outcome, Pacing
from bot.logging_setup import RedactingFilter
from storage import people
from tests.conftest import make_app, make_settings

TOY_SECRET = "toy-secret-1234567890"


class ToySender:
    channel = "toy"

    def __init__(self, inbox: dict[str, list[str]], blocked: set[str]):
        self.inbox, self.blocked = inbox, blocked

    async def send(self, external_id: str, replies: list[Reply]) -> Outcome:
        if external_id in self.blocked:
            return Outcome("blocked")
        self.inbox.setdefault(external_id, []).extend(r.text for r in replies)
        return Outcome("sent")


class ToyRuntime:
    def __init__(self, host, plugin: ToyChannel):
        self.host, self.plugin = host, plugin
        self.sender = ToySender(plugin.inbox, plugin.blocked)

    def mount(self, app: web.Application) -> None:
        async def webhook(request: web.Request) -> web.Response:
            body = await request.json()
            replies = await self.host.handle(Incoming.from_text("toy", body["from"], body["text"]))
            return web.json_response({"replies": [r.text for r in replies]})

        app.router.add_post("/toy/webhook", webhook)

    async def close(self) -> None:
        self.plugin.closed = True


class ToyChannel:
    name = "toy"
    title = "Toy"

    def __init__(self):
        self.inbox: dict[str, list[str]] = {}
        self.blocked: set[str] = set()
        self.closed = False

    def enabled(self, settings) -> bool:
        return True

    def secrets(self, settings) -> list[str]:
        return [TOY_SECRET]

    def deep_link(self, settings, payload: str) -> str | None:
        return f"toy://open?start={payload}"

    def pacing(self, settings) -> Pacing:
        return Pacing(rate=1000.0)

    def open(self, host) -> ToyRuntime:
        return ToyRuntime(host, self)


async def test_a_new_channel_needs_no_edit_outside_its_module(sqlite_url, test_kb, caplog):
    toy = ToyChannel()
    settings = make_settings(sqlite_url, BOT_SECRET_KEY="k")
    app = await make_app(settings, test_kb, channels=[*CHANNELS, toy])
    try:
        # Deep links (invitations, posters) include it.
        assert app.services.deep_links.urls("svc_id-card")["toy"] == "toy://open?start=svc_id-card"

        # Its webhook is mounted by the web server, and a person converses through it.
        runtimes = app.open_channels(["toy"])
        runner = web.AppRunner(app.web_app(runtimes))
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        async with aiohttp.ClientSession() as http:
            async with http.post(f"http://127.0.0.1:{port}/toy/webhook", json={"from": "p1", "text": "/start"}) as r:
                replies = (await r.json())["replies"]
        await runner.cleanup()
        assert any(t.startswith("Головне меню") for t in replies)
        assert toy.closed  # the web server closed the runtime it was given

        # Queued messages reach it through the delivery worker, paced by its own limits.
        async with app.db.sessions() as s, s.begin():
            p1 = await people.find_user(s, "toy", "p1")
            await outbox.enqueue(s, user_id=p1.id, channel="toy", kind="text", payload={"text": "Ваша заява готова"},
                                 key="toy:1")
        runtime = app.open_channels(["toy"])[0]
        assert await app.delivery_worker([runtime.sender]).run_once() == 1
        assert toy.inbox["p1"] == ["Ваша заява готова"]

        # A block it discovers follows the one rule: marked, the rest cancelled.
        toy.blocked.add("p1")
        async with app.db.sessions() as s, s.begin():
            for n in (2, 3):
                await outbox.enqueue(s, user_id=p1.id, channel="toy", kind="text", payload={"text": f"#{n}"},
                                     key=f"toy:{n}")
        assert await app.delivery_worker([runtime.sender], batch=1).run_once() == 1
        async with app.db.sessions() as s:
            assert (await people.find_user(s, "toy", "p1")).blocked_at is not None
        assert await app.delivery_worker([runtime.sender]).run_once() == 0  # #3 was cancelled, not sent

        # Its secret never reaches a log line.
        assert TOY_SECRET in secrets_of(settings, app.channels.values())
        redactor = RedactingFilter(secrets_of(settings, app.channels.values()))
        record = logging.LogRecord("t", logging.INFO, __file__, 1, "token=%s", (TOY_SECRET,), None)
        redactor.filter(record)
        assert TOY_SECRET not in record.getMessage()
    finally:
        await app.close()
