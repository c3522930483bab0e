"""A poster's QR code on Telegram, end to end: aiogram polling the strict fake Bot API over HTTP."""

from __future__ import annotations

import pytest

from bot.channels import telegram
from bot.features.staff import store as roles
from tests.conftest import make_app, make_settings
from tests.fakes.telegram_api import FakeTelegram
from tests.feedback_support import qr
from tests.telegram_support import telegram_running

VISITOR, REGULAR, STAFF = 4101, 4102, 4103


class Person:
    """One Telegram user talking to the bot (in English)."""

    def __init__(self, tg: FakeTelegram, chat: int):
        self.tg, self.chat = tg, chat

    async def say(self, text: str, expect: int = 1):
        before = len(self.tg.messages(self.chat))
        await self.tg.user_sends(self.chat, text, lang="en")
        return (await self.tg.wait_messages(self.chat, before + expect))[before:]

    async def press(self, message, label: str, expect_new: int = 1, edits: bool = False):
        before = len(self.tg.messages(self.chat))
        edits_before = message.edits
        query = await self.tg.user_presses(message, label, lang="en")
        await self.tg.wait_until(
            lambda: query not in self.tg.callbacks_open()
            and (message.edits > edits_before if edits else len(self.tg.messages(self.chat)) >= before + expect_new)
        )
        return self.tg.messages(self.chat)[before:]


@pytest.fixture
async def bot_on_telegram(sqlite_url, test_kb):
    async with FakeTelegram(chat_rate=10.0, chat_burst=10.0) as tg:  # rate limits are tested elsewhere
        settings = make_settings(sqlite_url, TELEGRAM_BOT_TOKEN=tg.token, TELEGRAM_API_BASE=tg.base_url,
                                 TELEGRAM_BOT_USERNAME="hromada_test_bot", BOT_SECRET_KEY="k",
                                 BOT_DELIVERY_POLL_SECONDS="0.05")
        core = await make_app(settings, test_kb)
        try:
            async with telegram_running(core):
                yield tg, core
        finally:
            await core.close()


def start_command(settings) -> str:
    """What Telegram sends when the QR code's t.me link is opened: `/start <payload>`."""
    link = telegram.CHANNEL_PLUGIN.deep_link(settings, qr())
    return "/start " + link.split("?start=", 1)[1]


async def test_new_user_scans_the_poster_and_staff_are_alerted(bot_on_telegram):
    tg, core = bot_on_telegram
    async with core.db.sessions() as s, s.begin():
        token = await roles.create_invite(s, "staff", "cnap-main")
    staff = Person(tg, STAFF)
    _notice, invitation = await staff.say(f"/start inv_{token}", expect=2)
    await staff.press(invitation, "Accept", expect_new=2)
    staff_messages = len(tg.messages(STAFF))

    visitor = Person(tg, VISITOR)
    notice, intro, question = await visitor.say(start_command(core.settings), expect=3)
    assert "/forget" in notice.text and "Test community CNAP" in intro.text
    assert question.text == "Overall, how were you served today?"
    assert [b["text"] for b in question.buttons()][:5] == ["5 — Excellent", "4 — Good", "3 — Acceptable", "2 — Poor",
                                                          "1 — Very poor"]
    (what_wrong,) = await visitor.press(question, "1 — Very poor")
    assert "What went wrong?" in what_wrong.text
    assert await visitor.press(what_wrong, "Long wait", edits=True) == []  # ticked in place
    assert "☑ Long wait in the queue" in [b["text"] for b in what_wrong.buttons()]
    (waiting,) = await visitor.press(what_wrong, "Done")
    (staff_q,) = await visitor.press(waiting, "2 —")
    (premises,) = await visitor.press(staff_q, "3 —")
    (solved,) = await visitor.press(premises, "3 —")
    (why,) = await visitor.press(solved, "No")
    (comment,) = await visitor.press(why, "I have to come again")
    assert "500 characters" in comment.text
    (thanks,) = await visitor.say("Two hours in the queue and the window was closed.")
    assert "Thank you very much" in thanks.text and "1 Testova St" in thanks.text

    (alert,) = (await tg.wait_messages(STAFF, staff_messages + 1))[staff_messages:]
    assert "Low rating" in alert.text and "Overall quality: 1 — Very poor" in alert.text
    assert "Two hours in the queue and the window was closed." in alert.text
    assert any("Feedback results" in b["text"] for b in alert.buttons())
    for b in alert.buttons():
        assert len(b.get("callback_data", "").encode()) <= 64
    assert not tg.callbacks_open() and not [e for e in tg.errors if e[1] != 429], tg.errors


async def test_existing_user_goes_straight_into_the_survey(bot_on_telegram):
    tg, core = bot_on_telegram
    regular = Person(tg, REGULAR)
    _notice, menu = await regular.say("/start", expect=2)
    await regular.press(menu, "Find a service")
    intro, question = await regular.say(start_command(core.settings), expect=2)
    assert "Service quality survey" in intro.text and question.text == "Overall, how were you served today?"
    (waiting,) = await regular.press(question, "5 — Excellent")
    assert "waiting time" in waiting.text
    stale, main_menu = await regular.say("/start fb1_zzzzzzz", expect=2)
    assert "out of date" in stale.text and main_menu.text.startswith("Main menu")
