"""Logging that never prints a bot token, even inside a URL or an exception."""

from __future__ import annotations

import logging
import re

# Telegram tokens look like 123456789:AAH...; also hide any secrets we were given.
# (No \b before the digits: in ".../bot123:AAH.../sendMessage" they follow a letter.)
_TOKEN_RE = re.compile(r"(?<![0-9])\d{5,}:[A-Za-z0-9_-]{20,}")


class RedactingFilter(logging.Filter):
    def __init__(self, secrets: list[str] | None = None):
        super().__init__()
        self.secrets = [s for s in (secrets or []) if s]

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return _TOKEN_RE.sub("***", text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info:
            # Render the traceback now so it can be redacted too.
            message += "\n" + logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
            record.exc_text = None
        record.msg = self.redact(message)
        record.args = None
        return True


def setup_logging(level: str = "INFO", secrets: list[str] | None = None) -> RedactingFilter:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    redactor = RedactingFilter(secrets)
    handler.addFilter(redactor)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("alembic", "pymorphy3", "aiohttp.access"):  # start-up chatter, one line per request
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
    return redactor
