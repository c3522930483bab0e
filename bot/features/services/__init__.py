"""Finding a service: free-text search, topics, life situations, the service card."""

from bot.core.feature import Feature
from bot.features.services import card, search  # noqa: F401  (they register their flows on the router)
from bot.features.services.flows import MENU, router
from bot.features.services.web import PAGES

FEATURE = Feature(name="services", routers=(router,), menu=MENU, console=PAGES)

__all__ = ["FEATURE"]
