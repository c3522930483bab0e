"""Document-list rows."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.checklists.models import Checklist
from storage.models import utcnow


async def get_checklist(session: AsyncSession, user_id: int, service_id: str) -> Checklist | None:
    stmt = select(Checklist).where(Checklist.user_id == user_id, Checklist.service_id == service_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def start_checklist(session: AsyncSession, user_id: int, service_id: str) -> Checklist:
    cl = await get_checklist(session, user_id, service_id)
    if cl is None:
        cl = Checklist(user_id=user_id, service_id=service_id, ticked=[], not_applicable=[])
        session.add(cl)
        await session.flush()
    return cl


async def save(session: AsyncSession, cl: Checklist, *, ticked: set[str], not_applicable: set[str],
               path: str | None, complete: bool) -> None:
    # New list objects, so the JSON columns are marked dirty.
    cl.ticked = sorted(ticked)
    cl.not_applicable = sorted(not_applicable)
    cl.path = path
    cl.updated_at = utcnow()
    cl.completed_at = (cl.completed_at or utcnow()) if complete else None
    await session.flush()


async def list_checklists(session: AsyncSession, user_id: int) -> list[Checklist]:
    stmt = select(Checklist).where(Checklist.user_id == user_id).order_by(Checklist.updated_at.desc())
    return list((await session.execute(stmt)).scalars())
