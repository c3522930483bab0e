"""Community figures for admins and CNAP heads: the dashboard, the monthly summary, the open-data export."""

from bot.core.feature import Feature
from bot.features.figures.web import PAGES, mount_upkeep

FEATURE = Feature(name="figures", console=PAGES, web=mount_upkeep)

__all__ = ["FEATURE"]
