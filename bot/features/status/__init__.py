"""Application status: look up by number and secret, follow, get told when it changes; import, HTTP API."""

from bot.core.feature import Feature
from bot.features.status.flows import MENU, router
from bot.features.status.render import render_status_change
from bot.features.status.store import STATUS_CHANGE
from bot.features.status.web import PAGES


def mount_status_api(app, services, db) -> None:
    """The HTTP API, loaded only by the web server (the console and CLI commands never need aiohttp)."""
    from bot.features.status.api import mount_status_api as mount

    mount(app, services, db)


FEATURE = Feature(
    name="status",
    routers=(router,),
    menu=MENU,
    renderers={STATUS_CHANGE: render_status_change},
    web=mount_status_api,
    console=PAGES,
)

__all__ = ["FEATURE"]
