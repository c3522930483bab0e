"""Logging that never prints a bot token, a secret, a chat id or a statement's parameters.

Secrets and anything shaped like a Telegram token are replaced by *** in every line, tracebacks
included; so are chat ids and Viber user ids where a library puts them in a message (`chat_id=…`,
`"receiver": …`). SQL errors never carry their parameters (storage/db.py: hide_parameters), and the
libraries that log every statement with its arguments at DEBUG (aiosqlite) are kept at WARNING.
"""

from __future__ import annotations

import logging
import re

# Telegram tokens look like 123456789:AAH...; also hide any secrets we were given.
# (No \b before the digits: in ".../bot123:AAH.../sendMessage" they follow a letter.)
_TOKEN_RE = re.compile(r"(?<![0-9])\d{5,}:[A-Za-z0-9_-]{20,}")
# Who a request was for, as aiogram and the Viber client write it into messages.
_PERSON_RE = re.compile(r"""(?P<key>['"]?(?:chat_id|user_id|receiver|external_id)['"]?\s*[=:]\s*)['"]?[^,)'"\s}]+['"]?""")
QUIET = ("alembic", "pymorphy3", "aiohttp.access", "aiosqlite")  # start-up chatter, one line per request or call


class RedactingFilter(logging.Filter):
    def __init__(self, secrets: list[str] | None = None):
        super().__init__()
        self.secrets = [s for s in (secrets or []) if s]

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "***")
        text = _PERSON_RE.sub(r"\g<key>***", text)
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
    for noisy in QUIET:
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
    return redactor
