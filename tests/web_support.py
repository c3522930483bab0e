"""The bot's web app (as `run_bot.py serve` runs it: webhooks, status API, health, the delivery worker)
on 127.0.0.1, for tests that talk to it over real HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
from aiohttp import web


@asynccontextmanager
async def serving(app, channels: list[str] | None = None) -> AsyncIterator[str]:
    """Yield the base URL of the running web app; stopped (and its delivery drained) on exit."""
    runner = web.AppRunner(app.web_app(app.open_channels(channels)))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"
    finally:
        await runner.cleanup()


async def raw_post(base: str, path: str, body: bytes, headers: dict[str, bytes | str]) -> tuple[int, bytes]:
    """POST with headers exactly as given (bytes are sent as they are: non-ASCII, malformed…)."""
    import asyncio
    from urllib.parse import urlsplit

    url = urlsplit(base)
    reader, writer = await asyncio.open_connection(url.hostname, url.port)
    head = [f"POST {path} HTTP/1.1".encode(), f"Host: {url.hostname}".encode(), f"Content-Length: {len(body)}".encode(),
            b"Connection: close"]
    for name, value in headers.items():
        head.append(name.encode() + b": " + (value if isinstance(value, bytes) else value.encode()))
    writer.write(b"\r\n".join(head) + b"\r\n\r\n" + body)
    await writer.drain()
    response = await reader.read()
    writer.close()
    status_line, _, rest = response.partition(b"\r\n")
    return int(status_line.split()[1]), rest.partition(b"\r\n\r\n")[2]


async def get_json(base: str, path: str, **kw) -> tuple[int, object]:
    async with aiohttp.ClientSession() as http, http.get(base + path, **kw) as resp:
        try:
            return resp.status, await resp.json(content_type=None)
        except ValueError:
            return resp.status, (await resp.read()).decode(errors="replace")


class Api:
    """The status API as a CNAP system calls it (every answer must be JSON)."""

    PATH = "/api/v1/applications/"

    def __init__(self, base: str, token: str):
        self.base, self.token = base, token

    async def call(self, method: str, number: str, **kw) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {self.token}", **kw.pop("headers", {})}
        async with aiohttp.ClientSession() as http:
            async with http.request(method, self.base + self.PATH + number, headers=headers, **kw) as resp:
                assert resp.content_type == "application/json", (resp.status, await resp.text())
                return resp.status, await resp.json()

    async def put(self, number: str, status: str = "received") -> tuple[int, Any]:
        return await self.call("PUT", number, json={"status": status})
