"""Forgetting a person: every feature cleans up what it must, then every row about them goes."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.feature import ForgetHook
from bot.core.services import Services
from bot.delivery import outbox
from storage import people


class Privacy:
    def __init__(self, services: Services, hooks: list[ForgetHook]):
        self.services = services
        self.hooks = list(hooks)

    async def forget(self, session: AsyncSession, user_id: int) -> None:
        with outbox.about_forgotten():  # what features queue now (a note to a worker) is scrubbed after delivery
            for hook in self.hooks:
                await hook(session, self.services, user_id)
        await people.forget_user(session, user_id)
