"""Helpers for the feedback tests: take a survey as a person would, make staff, read the database."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.features.feedback.links import Target, make_payload
from bot.features.feedback.models import FeedbackResponse
from bot.features.feedback.surveys import get_surveys
from bot.features.staff import store as roles
from storage import people as repo
from tests.chat import Chat

SURVEY = get_surveys(None).surveys["cnap-visit"]


def qr(office: str = "cnap-main", **kw) -> str:
    return make_payload(Target(office, **kw))


def current_question(chat: Chat):
    """The question the last reply asks (None when the survey has ended)."""
    for reply in reversed(chat.last):
        for q in SURVEY.questions:
            if q.text.en in reply.text or q.text.uk in reply.text:
                return q
    return None


async def answer(chat: Chat, q, value: Any) -> None:
    """Answer one question with the buttons (English labels) or by typing."""
    if value is None:
        await chat.press("Skip")
    elif q.kind == "rating":
        await chat.press(f"{value} —")
    elif q.kind == "yesno":
        await chat.press("Yes" if value else "No")
    elif q.kind == "single":
        await chat.press(q.option(value).text.en)
    elif q.kind == "multiple":
        for option_id in value:
            await chat.press(q.option(option_id).text.en)
        await chat.press("Done")
    else:
        await chat.send(value)


async def take_survey(chat: Chat, answers: dict[str, Any], payload: str | None = None) -> list[str]:
    """Scan the QR code (or continue) and answer; returns the ids of the questions asked, in order."""
    if payload is not None:
        await chat.start(payload)
    asked = []
    while (q := current_question(chat)) is not None:
        asked.append(q.id)
        await answer(chat, q, answers.get(q.id))
    return asked


async def make_staff(core, office: str, role: str = "staff", user: str = "staff-1", channel: str = "console") -> Chat:
    async with core.db.sessions() as s, s.begin():
        token = await roles.create_invite(s, role, office)
    chat = Chat(core, user=user, channel=channel, lang="en")
    await chat.start(f"inv_{token}")
    await chat.press("Accept")
    return chat


async def stored(core) -> list[FeedbackResponse]:
    async with core.db.sessions() as s:
        return list((await s.execute(select(FeedbackResponse).order_by(FeedbackResponse.id))).scalars())


async def user_id(core, chat: Chat) -> int:
    async with core.db.sessions() as s:
        return (await repo.find_user(s, chat.channel, chat.user)).id
