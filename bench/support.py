"""What the message-path benchmarks share with the fault tests: the bot as a real process, its CPU,
a webhook to post to (tests/processes.py)."""

from __future__ import annotations

import aiohttp

from tests.processes import ROOT, SECRET, BotProcess, cpu_seconds, free_port

__all__ = ["ROOT", "SECRET", "BotProcess", "cpu_seconds", "free_port", "post_update"]


async def post_update(http: aiohttp.ClientSession, url: str, update: dict, secret: str = SECRET) -> int:
    async with http.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": secret}) as resp:
        await resp.read()
        return resp.status
