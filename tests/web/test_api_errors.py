"""The status API answers every error in its documented JSON form, with the same limits for GET and PUT."""

from __future__ import annotations

import pytest

from bot.features.status import store as apps
from tests.conftest import make_app, make_settings
from tests.web_support import Api, serving

BODY = {"status": "received", "note": "", "secret": "4821"}


@pytest.fixture
async def api(db_url, test_kb):
    app = await make_app(make_settings(db_url, BOT_SECRET_KEY="k"), test_kb)
    async with app.db.sessions() as s, s.begin():
        token = await apps.create_token(s, "vulyk")
    try:
        async with serving(app, []) as base:
            yield Api(base, token)
    finally:
        await app.close()


async def test_deeply_nested_json_is_a_400_in_json(api):
    nested = "[" * 8000 + "]" * 8000  # within the 16 KiB limit, deeper than any parser recursion
    status, out = await api.call("PUT", "ЦН-1", data=nested, headers={"Content-Type": "application/json"})
    assert (status, out["error"]["code"]) == (400, "malformed_json")


@pytest.mark.parametrize("number", ["ЦН\u0000-1", "ЦН-\u202e1", "ЦН-1\u200b", "ЦН\u00071"])
async def test_numbers_with_control_or_bidi_characters_are_refused_by_put_and_get(api, number):
    for method, kw in (("PUT", {"json": BODY}), ("GET", {})):
        status, out = await api.call(method, number, **kw)
        assert (status, out["error"]["code"]) == (422, "invalid"), (method, out)


async def test_a_nul_in_any_field_is_a_422_not_a_500(api):
    for field in ("note", "status", "secret", "service_id"):
        status, out = await api.call("PUT", "ЦН-1", json={**BODY, field: "ab\u0000cd"})
        assert (status, out["error"]["code"]) == (422, "invalid"), (field, out)


async def test_get_and_put_agree_on_the_longest_number(api):
    long = "Ц" + "1" * 64  # 65 characters
    assert (await api.call("PUT", long[:64], json=BODY))[0] == 201
    for method, kw in (("PUT", {"json": BODY}), ("GET", {})):
        status, out = await api.call(method, long, **kw)
        assert (status, out["error"]["code"]) == (422, "invalid"), (method, out)


async def test_unknown_paths_and_methods_under_the_api_are_json(api):
    status, out = await api.call("DELETE", "ЦН-1")
    assert (status, out["error"]["code"]) == (405, "method_not_allowed")
