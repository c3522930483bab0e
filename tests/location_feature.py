"""A tiny feature for channel tests: asks for the person's location and says where they are."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.events import Location
from bot.core.feature import Feature
from bot.core.router import Router

router = Router("where")


@router.command("where")
async def ask(ctx: Context) -> None:
    ctx.say("Де ви? Надішліть місцезнаходження.", [[ctx.location_btn("📍 Надіслати місцезнаходження")], ctx.nav_row()])
    ctx.expect("where")


@router.location_input("where")
async def got(ctx: Context, where: Location) -> None:
    ctx.expect(None)
    ctx.say(f"Ви тут: {where.latitude:.4f}, {where.longitude:.4f}")


WHERE = Feature(name="where", routers=(router,))
