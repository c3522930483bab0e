"""Guard the guard: the fake Viber must refuse what Viber refuses, or the end-to-end tests prove little."""

from __future__ import annotations

import aiohttp
import pytest

from bot.channels.viber.client import MAX_REQUEST_BYTES, ViberApi, ViberError
from tests.fakes.viber_api import FakeViber

SENDER = {"name": "Громада"}


def kb(*buttons: dict) -> dict:
    return {"Type": "keyboard", "Buttons": [{"ActionType": "reply", "ActionBody": "menu", "Text": "x", **b}
                                            for b in buttons]}


@pytest.fixture
async def fake():
    async with FakeViber() as f:
        f.user("u").opened = f.user("u").subscribed = True
        f.user("new").opened = True  # opened the chat, never wrote: not subscribed
        yield f


@pytest.fixture
async def api(fake):
    client = ViberApi(fake.token, fake.base_url, retries=0)
    yield client
    await client.close()


@pytest.mark.parametrize(
    ("message", "status", "why"),
    [
        ({"type": "text", "text": "я" * 7001}, 3, "longer than 7000"),
        ({"type": "text", "text": "  "}, 3, "empty"),
        ({"type": "text", "text": "x", "tracking_data": "t" * 4001}, 3, "tracking_data"),
        ({"type": "text", "text": "x", "keyboard": kb({"Columns": 7})}, 3, "Columns"),
        ({"type": "text", "text": "x", "keyboard": kb({"Rows": 3})}, 3, "Rows"),
        ({"type": "text", "text": "x", "keyboard": kb(*[{}] * 25)}, 3, "1 to 24 buttons"),
        ({"type": "text", "text": "x", "keyboard": kb(*[{"Rows": 2}] * 13)}, 3, "taller than 24 rows"),
        ({"type": "text", "text": "x", "keyboard": kb({"ActionType": "open-url", "ActionBody": "diia"})}, 3, "URL"),
        ({"type": "text", "text": "x", "keyboard": kb({"BgColor": "blue"})}, 3, "BgColor"),
        ({"type": "rich_media", "rich_media": {"Buttons": []}}, 3, "min_api_version 2"),
        ({"type": "picture", "media": "https://x.example/a.bmp", "text": ""}, 3, ".jpg, .png or .gif"),
        ({"type": "picture", "media": "https://x.example/a.png", "text": "я" * 121}, 3, "longer than 120"),
        ({"type": "video", "media": "https://x.example/a.mp4"}, 3, "unsupported"),
    ],
)
async def test_messages_viber_refuses(api, message, status, why):
    with pytest.raises(ViberError) as err:
        await api.send_message("u", message, SENDER)
    assert err.value.status == status and why in err.value.message


async def test_senders_receivers_tokens_and_size(fake, api):
    text = {"type": "text", "text": "привіт"}
    with pytest.raises(ViberError, match="sender.name is longer than 28"):
        await api.send_message("u", text, {"name": "я" * 29})
    with pytest.raises(ViberError) as err:
        await api.send_message("new", text, SENDER)
    assert err.value.status == 6 and err.value.stopped
    with pytest.raises(ViberError) as err:
        await api.send_message("stranger", text, SENDER)
    assert err.value.status == 5 and err.value.stopped
    wrong = ViberApi("not-the-token", fake.base_url, retries=0)
    with pytest.raises(ViberError) as err:
        await wrong.get_account_info()
    await wrong.close()
    assert err.value.status == 2 and "not-the-token" not in str(err.value)
    with pytest.raises(ValueError, match="over 30000"):  # the client never sends what Viber would refuse…
        await api.send_message("u", {"type": "text", "text": "я" * 6999, "tracking_data": "ї" * 4000,
                                     "keyboard": kb(*[{"Text": "є" * 250}] * 24)}, SENDER)
    async with aiohttp.ClientSession() as http:  # …and the fake refuses it too
        body = b'{"receiver":"u","type":"text","text":"' + b"x" * MAX_REQUEST_BYTES + b'"}'
        headers = {"X-Viber-Auth-Token": fake.token}
        async with http.post(f"{fake.base_url}/send_message", data=body, headers=headers) as r:
            assert (await r.json())["status"] == 3
    assert (await api.send_message("u", text, SENDER)).isdigit()


async def test_unanswered_messages_hit_the_hourly_cap(fake):
    fake.unanswered_limit = 3
    api = ViberApi(fake.token, fake.base_url, retries=0)
    try:
        for n in range(3):
            await api.send_message("u", {"type": "text", "text": f"{n}"}, SENDER)
        with pytest.raises(ViberError) as err:
            await api.send_message("u", {"type": "text", "text": "ще"}, SENDER)
        assert err.value.status == 12
    finally:
        await api.close()
