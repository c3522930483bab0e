"""A person's progress through a service's document list."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, utcnow


class Checklist(Base):
    """A person's progress through one service's document list, for their case."""

    __tablename__ = "checklists"
    __table_args__ = (UniqueConstraint("user_id", "service_id", name="uq_checklists_user_service"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    service_id: Mapped[str] = mapped_column(String(64))
    ticked: Mapped[list[Any]] = mapped_column(JSON, default=list)  # document ids the person has
    # The answer to the card's `paths` question (an option id); None until answered.
    path: Mapped[str | None] = mapped_column(String(16))
    # Document ids the person marked "not for me" (only `when` documents count as such).
    not_applicable: Mapped[list[Any]] = mapped_column(JSON, default=list, server_default=text("'[]'"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    completed_at: Mapped[dt.datetime | None]
