"""The Viber REST Bot API over aiohttp.

viberbot's own transport calls `requests.post` with no timeout (it would block
the event loop) and logs whole payloads with the auth token in them, so this
thin client replaces it: one shared aiohttp session, timeouts, retries of
transient failures, and the token kept out of every message it produces.
Viber answers HTTP 200 with {"status": N, "status_message": ...}; N != 0 is an
error (codes below, as courier's Viber handler lists them).
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import aiohttp

log = logging.getLogger(__name__)

MAX_REQUEST_BYTES = 30_000  # Viber: "30 KB"; the stricter reading, so either reading holds
AUTH_HEADER = "X-Viber-Auth-Token"

STATUS_NAMES = {
    0: "ok", 1: "invalid url", 2: "invalid auth token", 3: "bad data", 4: "missing data",
    5: "receiver not registered", 6: "receiver not subscribed", 7: "public account blocked",
    8: "public account not found", 9: "public account suspended", 10: "webhook not set",
    11: "receiver has no suitable device", 12: "too many requests", 13: "api version not supported",
    14: "incompatible with version", 15: "public account not authorized", 16: "inline not allowed",
    17: "public account is not inline", 18: "no push token", 19: "cannot send broadcast",
    20: "broadcast not allowed", 21: "unsupported country", 22: "payment unsupported",
    23: "free out-of-session messages exceeded", 24: "no balance",
}
STOPPED = frozenset({5, 6})  # the person left or never subscribed: never retry


class ViberError(Exception):
    """Viber refused the request (a non-zero status)."""

    def __init__(self, status: int, message: str = ""):
        self.status = status
        self.message = message or STATUS_NAMES.get(status, "unknown error")
        super().__init__(f"Viber status {status}: {self.message}")

    @property
    def stopped(self) -> bool:
        return self.status in STOPPED


class ViberUnavailable(Exception):
    """Viber could not be reached, or answered 5xx/429, after the retries."""


class ViberApi:
    def __init__(self, token: str, base: str, *, timeout: float = 10.0, retries: int = 2, backoff: float = 0.5):
        if not token:
            raise ValueError("VIBER_AUTH_TOKEN is not set")
        self._token = token
        self.base = base.rstrip("/")
        self.timeout = aiohttp.ClientTimeout(total=timeout, connect=min(5.0, timeout))
        self.retries = retries
        self.backoff = backoff
        self._session: aiohttp.ClientSession | None = None

    def redact(self, text: str) -> str:
        return text.replace(self._token, "***")

    @staticmethod
    def encode(body: dict[str, Any]) -> bytes:
        """JSON as Viber measures it: UTF-8, not \\u escapes (which would triple Cyrillic's size)."""
        return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()

    async def call(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        data = self.encode(body)
        if len(data) > MAX_REQUEST_BYTES:  # a rendering bug; Viber would refuse it anyway
            raise ValueError(f"Viber {method} request is {len(data)} bytes, over {MAX_REQUEST_BYTES}")
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self.timeout)
        headers = {AUTH_HEADER: self._token, "Content-Type": "application/json; charset=utf-8"}
        for attempt in range(self.retries + 1):
            try:
                async with self._session.post(f"{self.base}/{method}", data=data, headers=headers) as resp:
                    if resp.status == 429 or resp.status >= 500:
                        raise ViberUnavailable(f"HTTP {resp.status}")
                    if resp.status != 200:
                        raise ViberError(3, f"HTTP {resp.status}")
                    result = await resp.json(content_type=None)
                break
            except (TimeoutError, aiohttp.ClientError, ViberUnavailable, ValueError) as exc:
                # At least once: a timed-out send may have arrived; the outbox is at-least-once too.
                reason = self.redact(f"{type(exc).__name__}: {exc}")
                if attempt == self.retries:
                    raise ViberUnavailable(f"Viber {method} failed: {reason}") from None
                log.warning("Viber %s failed (%s); retrying", method, reason)
                await asyncio.sleep(self.backoff * 2**attempt)
        status = result.get("status") if isinstance(result, dict) else None
        if status != 0:
            message = self.redact(str(result.get("status_message", ""))) if isinstance(result, dict) else ""
            raise ViberError(status if isinstance(status, int) else 3, message)
        return result

    async def send_message(self, receiver: str, message: dict[str, Any], sender: dict[str, str]) -> str:
        """Send one message (a viberbot message's to_dict()); returns Viber's message token."""
        result = await self.call("send_message", {"receiver": receiver, "sender": sender, **message})
        return str(result.get("message_token", ""))

    async def set_webhook(self, url: str, event_types: list[str]) -> dict[str, Any]:
        # Names and photos are not asked for: the bot stores no profile data.
        body = {"url": url, "event_types": event_types, "send_name": False, "send_photo": False}
        return await self.call("set_webhook", body)

    async def get_account_info(self) -> dict[str, Any]:
        return await self.call("get_account_info", {})

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
