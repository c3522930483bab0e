"""The conversation engine's own rules: fallbacks, Back, flow state, errors, media and locations."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.app import FEATURES
from bot.core.context import Context
from bot.core.events import Incoming, Location, Media
from bot.core.feature import Feature
from bot.core.router import Router
from bot.core.state import FlowState
from tests.chat import Chat
from tests.conftest import make_app, make_settings

toy = Router("toy")


class Draft(FlowState):
    owner = "toy"
    text: str


class Pinned(FlowState):
    owner = "toy"
    keep = True
    text: str


@toy.action("toy_crash")
async def crash(ctx: Context) -> None:
    raise RuntimeError("a bug in a flow")


@toy.action("toy_refuses", screen=True)
async def refuses(ctx: Context) -> bool:
    """A screen that shows once, then refuses (like a worker's screen after their role was revoked)."""
    if ctx.get(Pinned) is not None:
        return False
    ctx.put(Pinned(text="shown"))
    ctx.say("toy screen", [ctx.nav_row()])
    return True


@toy.action("toy_draft", screen=True)
async def start_draft(ctx: Context) -> None:
    ctx.put(Draft(text="half-typed"))
    ctx.say("typing…", [ctx.nav_row()])
    ctx.expect("toy_text")


@toy.text_input("toy_text")
async def typed(ctx: Context, text: str) -> None:
    draft = ctx.get(Draft)
    ctx.say(f"draft={draft.text if draft else None} text={text}")


@toy.location_input("toy_text")
async def located(ctx: Context, where: Location) -> None:
    ctx.say(f"at {where.latitude:.2f},{where.longitude:.2f}")


TOY = Feature(name="toy", routers=(toy,))


@pytest.fixture
async def app(sqlite_url, test_kb):
    a = await make_app(make_settings(sqlite_url), test_kb, features=[*FEATURES, TOY])
    yield a
    await a.close()


async def test_internal_fallbacks_cannot_be_typed(app):
    chat = Chat(app)
    await chat.start()
    for name in ("stale_button", "stale_link", "unknown"):
        await chat.send(f"/{name}")
        assert "Я не знаю такої команди" in chat.text, name


async def test_back_to_a_screen_that_now_refuses_answers_like_a_stale_button(app):
    chat = Chat(app)
    await chat.start()
    await chat.press_payload("toy_refuses")
    assert chat.text == "toy screen"
    await chat.press_payload("find")  # another screen on top of it
    await chat.press("Назад")  # back to the toy screen, which refuses now
    assert chat.last, "Back must never answer with nothing"
    assert "застаріло" in chat.text and "Головне меню" in chat.text


async def test_flow_state_is_dropped_when_the_person_leaves_the_feature(app):
    chat = Chat(app)
    await chat.start()
    await chat.press_payload("toy_draft")
    await chat.send("слово")
    assert chat.text == "draft=half-typed text=слово"
    await chat.press_payload("toy_draft")
    await chat.send("/help")  # leaves the toy feature
    async with app.db.sessions() as s:
        from sqlalchemy import select

        from storage.models import Conversation

        state = (await s.execute(select(Conversation.state))).scalar_one()
    assert "toy.Draft" not in state["flows"]


async def test_kept_flow_state_survives_leaving(app):
    chat = Chat(app)
    await chat.start()
    await chat.press_payload("toy_refuses")
    await chat.send("/help")
    await chat.press_payload("toy_refuses")
    assert "застаріло" in chat.text  # it refused: Pinned was kept


async def test_a_crash_fails_the_test_but_a_person_gets_an_apology(app, sqlite_url, test_kb):
    chat = Chat(app)
    await chat.start()
    with pytest.raises(RuntimeError, match="a bug in a flow"):
        await chat.press_payload("toy_crash")
    forgiving = await make_app(make_settings(sqlite_url), test_kb, features=[*FEATURES, TOY], raise_errors=False,
                               migrate=False)
    try:
        person = Chat(forgiving, user="p2")
        await person.start()
        await person.press_payload("toy_crash")
        assert "сталася помилка" in person.text
    finally:
        await forgiving.close()


@pytest.mark.parametrize("kind", ["photo", "voice", "sticker", "document"])
async def test_media_gets_a_friendly_answer_and_an_awaited_answer_is_still_awaited(app, kind):
    chat = Chat(app)
    await chat.start()
    await chat._handle(Incoming("console", "u1", "media", media=Media(kind)))
    assert "лише текст" in chat.text and chat.text.count("Головне меню") >= 1
    await chat.press_payload("toy_draft")
    await chat._handle(Incoming("console", "u1", "media", media=Media(kind)))
    assert "лише текст" in chat.text and "чекаю" in chat.text
    await chat.send("тепер текстом")
    assert chat.text == "draft=half-typed text=тепер текстом"


async def test_a_location_goes_to_the_flow_that_asked_for_it(app):
    chat = Chat(app)
    await chat.start()
    await chat._handle(Incoming("console", "u1", "location", location=Location(50.45, 30.52)))
    assert "не потрібне" in chat.text
    await chat.press_payload("toy_draft")
    await chat._handle(Incoming("console", "u1", "location", location=Location(50.45, 30.52)))
    assert chat.text == "at 50.45,30.52"


@pytest.mark.parametrize("env, message", [
    ({"BOT_TIMEZONE": "Europe/Kiev2"}, "is not a time zone"),
    ({"BOT_QUIET_HOURS": "21-8"}, "must look like 21:00-08:00"),
    ({"BOT_QUIET_HOURS": "25:00-08:00"}, "must look like 21:00-08:00"),
    ({"BOT_DEFAULT_LANG": "ru"}, "must be uk or en"),
])
def test_settings_that_cannot_work_stop_the_start(env, message):
    with pytest.raises(ValidationError, match=message):
        make_settings("sqlite+aiosqlite:///x.db", **env)


def test_every_secret_setting_is_redacted_without_a_list_to_maintain():
    s = make_settings("sqlite+aiosqlite:///x.db", TELEGRAM_BOT_TOKEN="123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                      VIBER_AUTH_TOKEN="viber-secret", BOT_SECRET_KEY="server-key", TELEGRAM_WEBHOOK_SECRET="hook")
    assert set(s.secret_values()) == {"123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ", "viber-secret", "server-key", "hook"}


def test_a_location_out_of_range_is_refused():
    with pytest.raises(ValueError):
        Location(91.0, 0.0)
