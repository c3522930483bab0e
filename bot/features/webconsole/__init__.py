"""The staff web console's entry in the bot ("Staff console": a one-time sign-in link) and its audit log pages."""

from bot.core.feature import Feature
from bot.features.webconsole.flows import MENU, router
from bot.features.webconsole.web import PAGES

FEATURE = Feature(name="webconsole", routers=(router,), menu=MENU, console=PAGES)

__all__ = ["FEATURE"]
