"""The main menu, help, language, privacy notice and /forget."""

from bot.core.feature import Feature
from bot.features.menu.flows import MENU, router, welcome

FEATURE = Feature(name="menu", routers=(router,), menu=MENU, on_first_contact=welcome)

__all__ = ["FEATURE"]
