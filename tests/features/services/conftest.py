"""The app on the bundled knowledge base: the search's verdicts depend on real content."""

from __future__ import annotations

import pytest

from tests.conftest import make_app, make_settings


@pytest.fixture
async def real_core(sqlite_url, real_kb):
    core = await make_app(make_settings(sqlite_url, BOT_SECRET_KEY="test-secret-key"), real_kb)
    yield core
    await core.close()
