"""Feedback surveys for offices: QR posters, the survey, low-rating alerts, results and reports."""

from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.feature import Feature
from bot.core.services import Services
from bot.features.feedback.alerts import KIND as ALERT
from bot.features.feedback.alerts import render_alert
from bot.features.feedback.flows import MENU, router
from bot.features.feedback.store import forget_receipts
from bot.features.feedback.surveys import get_surveys
from bot.features.feedback.web import PAGES, mount_upkeep


def check_surveys(services: Services) -> None:
    """A broken survey file stops the start, like a broken knowledge base (SurveyError says where)."""
    get_surveys(services.settings.kb_dir)


async def forget(session: AsyncSession, services: Services, user_id: int) -> None:
    today = services.clock.now().astimezone(ZoneInfo(services.settings.timezone)).date()
    await forget_receipts(session, services.settings.secret_key_bytes(), user_id, list(services.kb.offices), today)


FEATURE = Feature(
    name="feedback",
    routers=(router,),
    menu=MENU,
    renderers={ALERT: render_alert},
    check=check_surveys,
    console=PAGES,
    web=mount_upkeep,
    on_forget=forget,
)

__all__ = ["FEATURE"]
