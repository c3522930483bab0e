"""Staff roles: one-time invitation links, and admins revoking roles in the bot."""

from bot.core.feature import Feature
from bot.features.staff.flows import MENU, router

FEATURE = Feature(name="staff", routers=(router,), menu=MENU)

__all__ = ["FEATURE"]
