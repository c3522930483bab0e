"""Helpers for the staff console's tests: people with roles, a real HTTP server, signing in as a person would."""

from __future__ import annotations

import re
from contextlib import asynccontextmanager

from aiohttp.test_utils import TestClient, TestServer

from bot.features.staff import store as roles
from storage import people
from storage.types import clock_scope
from tests.chat import Chat

PRE_RE = re.compile(r'name="pre" value="([^"]+)"')
CSRF_RE = re.compile(r'name="csrf" value="([^"]+)"')


async def person(core, role: str | None, scope: str = "", user: str = "staff-1", channel: str = "console") -> int:
    """A person with a role, granted through a real one-time invitation (or none)."""
    chat = Chat(core, user=user, channel=channel, lang="en")
    if role is None:
        await chat.start()
    else:
        with clock_scope(core.services.clock.now):  # valid by the app's clock
            async with core.db.sessions() as s, s.begin():
                token = await roles.create_invite(s, role, scope)
        await chat.start(f"inv_{token}")
        await chat.press("Accept")
    async with core.db.sessions() as s:
        return (await people.find_user(s, channel, user)).id


async def grant(core, user_id: int, role: str, scope: str = "") -> None:
    async with core.db.sessions() as s, s.begin():
        await people.grant_role(s, user_id, role, scope)


@asynccontextmanager
async def serve(core):
    """The app's real web server (what `run_bot.py serve` runs), on a free local port."""
    client = TestClient(TestServer(core.web_app([])))
    await client.start_server()
    try:
        yield client
    finally:
        await client.close()


async def link_from_bot(core, user: str, channel: str = "console") -> str:
    """Press "Staff console" in the bot and take the link from the answer."""
    chat = Chat(core, user=user, channel=channel, lang="en")
    await chat.start()
    entry = next(b for r in chat.last for b in r.all_buttons() if b.payload == "webconsole")  # in any language
    await chat.press_payload(entry.payload)
    match = re.search(r"https?://\S+/console/signin\?t=(\S+)", chat.text)
    assert match, chat.text
    return match.group(1)


async def sign_in(client: TestClient, token: str):
    """Open the link, press "Sign in"; returns the response of the POST (not followed)."""
    page = await client.get(f"/console/signin?t={token}")
    pre = PRE_RE.search(await page.text())
    assert pre, await page.text()
    return await client.post("/console/signin", data={"t": token, "pre": pre.group(1)}, allow_redirects=False)


async def signed_in(core, client: TestClient, user: str, channel: str = "console") -> str:
    """Sign in as the person through the bot's link; returns the session's CSRF token."""
    response = await sign_in(client, await link_from_bot(core, user, channel))
    assert response.status == 303, await response.text()
    return await csrf_of(client)


async def csrf_of(client: TestClient, path: str = "/console/") -> str:
    page = await client.get(path)
    found = CSRF_RE.search(await page.text())
    assert found, f"no CSRF token on {path}: {page.status}"
    return found.group(1)
