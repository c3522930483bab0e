"""Tables for the reminders feature (kept in their own module; storage/models.py imports it)."""

from __future__ import annotations

from storage.models import Base  # noqa: F401  (tables defined here join the same metadata)
