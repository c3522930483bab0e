"""Social workers' reminders: consent links, the wizard, delivery, confirmation, stopping."""

from bot.core.feature import Feature
from bot.features.reminders import client_flows, wizard, worker_flows
from bot.features.reminders.render import RENDERERS, SETTLED
from bot.features.reminders.service import on_forget, on_unreachable
from bot.features.reminders.web import PAGES

FEATURE = Feature(
    name="reminders",
    routers=(worker_flows.router, wizard.router, client_flows.router),
    menu=worker_flows.MENU,
    renderers=RENDERERS,
    settled=SETTLED,
    on_unreachable=on_unreachable,
    on_forget=on_forget,
    console=PAGES,
)

__all__ = ["FEATURE"]
