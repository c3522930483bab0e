"""Pictures and files for Viber, served from PUBLIC_URL while Viber fetches them.

Viber messages carry a media *URL*, not bytes. Attachments are written to a
directory (shared by the bot processes on a host) under a name keyed with the
auth token, so URLs cannot be guessed or used to confirm a file's content, and
served at /viber/media/<name>. Files are kept for a week (a person may open an
old message), then pruned.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import re
import time
from collections.abc import Callable
from pathlib import Path

from aiohttp import web

from bot.core.events import Attachment

MEDIA_PATH = "/viber/media"
PICTURE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif"}
KEEP_SECONDS = 7 * 24 * 3600
_NAME_RE = re.compile(r"^[0-9a-f]{40}(\.[a-z0-9]{1,8})?$")


def picture_ok(att: Attachment) -> bool:
    """Viber shows JPEG, PNG and GIF pictures (by the URL's extension); anything else goes as a file."""
    return att.kind == "image" and Path(att.filename).suffix.lower() in PICTURE_TYPES


class MediaStore:
    def __init__(self, directory: Path, key: bytes, public_url: Callable[[], str | None]):
        self.directory = directory
        self.key = key
        self.public_url = public_url  # read at send time (tests learn their port late)
        self._pruned = 0.0

    def _name(self, att: Attachment) -> str:
        suffix = Path(att.filename).suffix.lower()
        digest = hmac.new(self.key, att.data, hashlib.sha256).hexdigest()[:40]
        return digest + (suffix if re.fullmatch(r"\.[a-z0-9]{1,8}", suffix) else "")

    def _write(self, name: str, data: bytes) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / name
        if not path.exists():
            tmp = path.with_suffix(path.suffix + ".tmp")
            tmp.write_bytes(data)
            tmp.replace(path)  # another process never serves half a file
        now = time.time()
        if now - self._pruned > 3600:
            self._pruned = now
            for old in self.directory.iterdir():
                if now - old.stat().st_mtime > KEEP_SECONDS:
                    old.unlink(missing_ok=True)

    async def url_for(self, att: Attachment) -> str | None:
        """A public URL for the attachment, or None when PUBLIC_URL is not configured."""
        base = self.public_url()
        if not base:
            return None
        name = self._name(att)
        await asyncio.to_thread(self._write, name, att.data)
        return f"{base.rstrip('/')}{MEDIA_PATH}/{name}"

    async def serve(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        path = self.directory / name
        if not _NAME_RE.match(name) or not path.is_file():
            raise web.HTTPNotFound()
        headers = {"Cache-Control": "private, max-age=604800"}
        if path.suffix in PICTURE_TYPES:
            headers["Content-Type"] = PICTURE_TYPES[path.suffix]
        return web.FileResponse(path, headers=headers)

    def mount(self, app: web.Application) -> None:
        app.router.add_get(MEDIA_PATH + "/{name}", self.serve)
