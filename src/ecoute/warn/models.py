"""Alerts raised by the periodic scan: one row per episode of a detector on a workspace, updated
while the episode is open (its peak moves, then its end is set)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, String, UniqueConstraint
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


class AlertMessage(Base):
    """One alert's message on one channel (``email`` or ``slack``): ``pending`` until the task
    queue sends it (``sent``, or ``failed`` after its retries), or ``folded`` when an earlier
    message of the same crisis on that channel, within the workspace's cooldown, already said it
    (``folded_into`` is that message). Unique per alert and channel, so an alert is told once."""

    __tablename__ = "alert_messages"
    __table_args__ = (
        UniqueConstraint("alert_id", "channel", name="uq_alert_messages_alert_channel"),
        Index("ix_alert_messages_ws_channel_crisis", "workspace_id", "channel", "crisis", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(16))
    crisis: Mapped[str] = mapped_column(String(260))  # what the cooldown is counted on
    status: Mapped[str] = mapped_column(String(16), default="pending")
    folded_into: Mapped[int | None] = mapped_column(ForeignKey("alert_messages.id", ondelete="SET NULL"))
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column()
