"""The ``breach_notices`` table: one row per conversation clock that was announced as about to
breach, so each is announced once (unique per conversation and clock start) and its e-mail is
sent once, retried on failure."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ecoute.store.models import Base
from ecoute.store.types import utcnow

EMAIL_STATUSES = ("none", "pending", "sending", "sent", "failed")


class BreachNotice(Base):
    __tablename__ = "breach_notices"
    __table_args__ = (
        UniqueConstraint("workspace_id", "conversation_id", "clock_started_at"),
        Index("ix_breach_notices_email", "email_status", "workspace_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    clock_started_at: Mapped[datetime] = mapped_column()
    due_at: Mapped[datetime] = mapped_column()
    state: Mapped[str] = mapped_column(String(16))
    priority: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    email_status: Mapped[str] = mapped_column(String(16), default="none")
    email_attempts: Mapped[int] = mapped_column(default=0)
    email_claimed_at: Mapped[datetime | None] = mapped_column()
    emailed_at: Mapped[datetime | None] = mapped_column()
    email_error: Mapped[str | None] = mapped_column(Text)
