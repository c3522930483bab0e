"""All conversation flows, assembled into one router."""

from __future__ import annotations

from bot.dialogs.router import Router


def build_router() -> Router:
    from bot.dialogs.flows import checklists, feedback, menu, reminders_client, services, staff, status, workers

    router = Router()
    for module in (menu, services, checklists, status, feedback, workers, reminders_client, staff):
        router.include(module.router)
    return router
