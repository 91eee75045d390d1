"""Alerts raised by the periodic scan: one row per episode of a detector on a workspace, updated
while the episode is open (its peak moves, then its end is set)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ecoute.store.models import Base
from ecoute.store.types import utcnow


class Alert(Base):
    __tablename__ = "alerts"
    __table_args__ = (
        UniqueConstraint("workspace_id", "kind", "subject", "started_at", name="uq_alerts_ws_kind_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # volume | negative_share | impersonation
    subject: Mapped[str] = mapped_column(String(240), default="", server_default="")  # "x:handle"
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)  # an impersonator's score and reasons
    started_at: Mapped[datetime] = mapped_column()
    peak_at: Mapped[datetime] = mapped_column()
    ended_at: Mapped[datetime | None] = mapped_column()
    observed: Mapped[float] = mapped_column(Float)  # mentions (or negative mentions) at the peak
    expected: Mapped[float] = mapped_column(Float)  # what the seasonal baseline expected there
    peak_z: Mapped[float] = mapped_column(Float)
    # open → acknowledged / snoozed (back to open once snoozed_until passes) → resolved
    status: Mapped[str] = mapped_column(String(16), default="open", server_default="open")
    snoozed_until: Mapped[datetime | None] = mapped_column()
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    handled_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
