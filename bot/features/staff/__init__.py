"""Staff roles: one-time invitation links, and admins revoking roles in the bot."""

from bot.core.feature import Feature
from bot.features.staff.flows import MENU, router
from bot.features.staff.web import PAGES

FEATURE = Feature(name="staff", routers=(router,), menu=MENU, console=PAGES)

__all__ = ["FEATURE"]
