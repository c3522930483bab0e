"""The bot as a real process (`run_bot.py serve`, `deliver`, …) for tests that kill, stop or starve it.

The process gets its settings through the environment, as in production; the test talks to it over
real HTTP (its webhook, its health endpoints) and counts what reached the fake messenger APIs.
"""

from __future__ import annotations

import asyncio
import os
import resource
import signal
import socket
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECRET = "chaos-Secret_1"
CLK_TCK = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


class BotProcess:
    """`python ARGS…` run from `root` with `env` on top of ours; its web server on `port`.

    `file_limit` caps the size of any file the process may grow (RLIMIT_FSIZE, with SIGXFSZ
    ignored so a write that would pass it fails the way a full disk fails); raise it later with
    `set_file_limit` to "free the disk"."""

    def __init__(self, args: list[str], env: dict[str, str], *, root: Path = ROOT, port: int | None = None,
                 file_limit: int | None = None):
        self.args, self.env, self.root = args, env, root
        self.port = port or free_port()
        self.file_limit = file_limit
        self.proc: asyncio.subprocess.Process | None = None
        self.stderr = b""

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def _limits(self) -> None:  # runs in the child before exec
        if self.file_limit is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (self.file_limit, resource.RLIM_INFINITY))

    def set_file_limit(self, limit: int | None) -> None:
        soft = resource.RLIM_INFINITY if limit is None else limit
        resource.prlimit(self.pid, resource.RLIMIT_FSIZE, (soft, resource.RLIM_INFINITY))

    async def start(self, *, wait_port: bool = True, timeout: float = 60.0) -> None:
        env = {**os.environ, "BOT_LOG_LEVEL": "WARNING", **self.env, "BOT_SERVE_PORT": str(self.port),
               "PYTHONPATH": str(self.root)}
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, *self.args, cwd=self.root, env=env, stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE, preexec_fn=self._limits)
        self._drain = asyncio.create_task(self._read_stderr())
        if not wait_port:
            return
        deadline = time.monotonic() + timeout
        while True:
            try:
                _reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
                writer.close()
                return
            except OSError:
                if self.proc.returncode is not None or time.monotonic() > deadline:
                    await self.wait(5)
                    raise RuntimeError(f"{self.args} did not start (exit {self.proc.returncode}):\n"
                                       f"{self.stderr.decode(errors='replace')[-3000:]}") from None
                await asyncio.sleep(0.05)

    async def _read_stderr(self) -> None:
        assert self.proc is not None and self.proc.stderr is not None
        while chunk := await self.proc.stderr.read(65536):
            self.stderr += chunk

    def cpu(self) -> float:
        return cpu_seconds(self.pid)

    def send_signal(self, sig: int) -> None:
        assert self.proc is not None
        if self.proc.returncode is None:
            self.proc.send_signal(sig)

    async def wait(self, timeout: float = 30.0) -> int:
        assert self.proc is not None
        try:
            code = await asyncio.wait_for(self.proc.wait(), timeout)
        except TimeoutError:
            self.proc.kill()
            code = await self.proc.wait()
        await asyncio.wait_for(self._drain, 5)
        return code

    async def stop(self, sig: int = signal.SIGTERM, timeout: float = 30.0) -> int:
        self.send_signal(sig)
        return await self.wait(timeout)

    @property
    def log(self) -> str:
        return self.stderr.decode(errors="replace")
