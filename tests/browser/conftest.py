"""The staff console in a real headless Chromium (Debian's chromium + chromium-driver, driven by Selenium).

One browser serves every browser test (started once per test session, a fresh profile). Each test gets
its own bot — app, SQLite database, the real aiohttp server of `serve` on a free port — running in a
background thread with its own event loop; the test drives the browser synchronously and calls into
the bot's loop with `live.run(coroutine)`. Without Chromium, ChromeDriver or axe-core the tests skip
with a reason; in CI they fail (scripts/test-browser.sh installs them).
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import json
import os
import shutil
import tempfile
import threading
from collections.abc import Coroutine
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web

from bot.core.clock import ManualClock
from tests.conftest import IN_CI, make_app, make_settings

HERE = Path(__file__).resolve().parent
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = HERE / "screenshots"
CHROMIUM = ("chromium", "chromium-browser", "google-chrome")
SIZES = {"phone": (390, 844), "desktop": (1280, 900)}
NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=ZoneInfo("Europe/Kyiv"))


def _missing() -> str | None:
    if shutil.which("chromedriver") is None or not any(shutil.which(c) for c in CHROMIUM):
        return "Chromium and ChromeDriver are not installed"
    if not AXE.exists():
        return "axe-core is not installed (tests/browser/node_modules)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed"
    return None


def require_browser() -> None:
    problem = _missing()
    if problem:
        msg = f"browser tests need a browser: {problem}; run scripts/test-browser.sh (as root)"
        if IN_CI:
            pytest.fail(msg)
        pytest.skip(msg)


@pytest.fixture(scope="session")
def browser():
    require_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="hromada-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = next(shutil.which(c) for c in CHROMIUM if shutil.which(c))
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", f"--user-data-dir={profile}", "--window-size=1280,900", "--lang=uk"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


class LiveServer:
    """A bot with its web server in a thread of its own; `run()` executes a coroutine in that thread's loop."""

    def __init__(self, tmp_path: Path, kb, **settings: str):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="live-server", daemon=True)
        self.thread.start()
        self.clock = ManualClock(NOW)
        self.app = self.run(make_app(make_settings(f"sqlite+aiosqlite:///{tmp_path / 'live.sqlite3'}", **settings),
                                     kb, clock=self.clock))
        self.runner = web.AppRunner(self.app.web_app([]))
        self.run(self.runner.setup())
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        self.run(site.start())
        self.port = self.runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{self.port}"

    def run(self, coro: Coroutine[Any, Any, Any], timeout: float = 60) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self) -> None:
        self.run(self.runner.cleanup())
        self.run(self.app.close())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


@pytest.fixture
def live_factory(browser, tmp_path, test_kb):
    made: list[LiveServer] = []

    def make(kb=None, **settings: str) -> LiveServer:
        server = LiveServer(tmp_path, kb or test_kb, **settings)
        made.append(server)
        return server

    browser.execute_cdp_cmd("Network.clearBrowserCookies", {})
    browser.set_window_size(*SIZES["desktop"])
    yield make
    for server in made:
        server.close()


@pytest.fixture
def live(live_factory) -> LiveServer:
    return live_factory()


# --- what every page gets checked for ------------------------------------------------------------


def axe_violations(driver) -> list[dict]:
    """Serious and critical accessibility violations on the current page (axe-core, WCAG 2.1 A and AA)."""
    if not driver.execute_script("return typeof window.axe !== 'undefined'"):
        driver.execute_script(AXE.read_text(encoding="utf-8"))
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},"
        " resultTypes: ['violations']}).then(r => done(JSON.stringify(r.violations)), e => done(JSON.stringify("
        "[{id: 'axe-error', impact: 'critical', description: String(e), nodes: []}])));")
    found = json.loads(result)
    return [v for v in found if v.get("impact") in ("serious", "critical")]


def screenshot(driver, name: str) -> list[Path]:
    """Full-page PNGs at phone and desktop widths in tests/browser/screenshots/ (git-ignored)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    written = []
    for label, (width, height) in SIZES.items():
        driver.set_window_size(width, height)
        metrics = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
        full = metrics.get("cssContentSize") or metrics["contentSize"]
        shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": width, "height": min(full["height"], 6000), "scale": 1}})
        path = SCREENSHOTS / f"{name}-{label}.png"
        path.write_bytes(base64.b64decode(shot["data"]))
        written.append(path)
    driver.set_window_size(*SIZES["desktop"])
    return written


def check_page(driver, name: str, shots: bool = True) -> None:
    """Every page the tests open: no serious or critical axe violation, and screenshots for review."""
    violations = axe_violations(driver)
    assert not violations, f"{name}: " + "; ".join(
        f"{v['id']} ({v['impact']}): {v.get('help') or v.get('description')} — "
        f"{[n.get('target') for n in v.get('nodes', [])][:3]}" for v in violations)
    if shots and os.environ.get("BOT_TEST_SCREENSHOTS", "1") != "0":
        screenshot(driver, name)
