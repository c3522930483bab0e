"""Interactive document checklists: tick documents off as you gather them."""

from bot.core.feature import Feature
from bot.features.checklists.flows import MENU, router

FEATURE = Feature(name="checklists", routers=(router,), menu=MENU)

__all__ = ["FEATURE"]
