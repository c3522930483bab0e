"""All conversation flows, assembled into one router."""

from __future__ import annotations

from bot.dialogs.router import Router


def build_router() -> Router:
    from bot.dialogs.flows import checklists, menu, pending, services, status

    router = Router()
    for module in (menu, services, checklists, status, pending):
        router.include(module.router)
    return router
