"""A person's digest preference per workspace, and one row per digest sent (or being sent), which
makes each digest for a recipient and a period go out once however often the job runs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ecoute.store.models import Base
from ecoute.store.types import utcnow

FREQUENCIES = ("off", "daily", "weekly")
PERIODS = ("daily", "weekly")


class DigestPreference(Base):
    """No row: the digest is off. ``hour`` is in the workspace's time zone; ``weekday`` (0 = Monday)
    is the day a weekly digest goes out."""

    __tablename__ = "digest_preferences"
    __table_args__ = (UniqueConstraint("workspace_id", "user_id", name="uq_digest_preferences_ws_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    frequency: Mapped[str] = mapped_column(String(8), default="off")
    hour: Mapped[int] = mapped_column(default=8)
    weekday: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class DigestSend(Base):
    """``recipient`` is ``user:<id>`` or ``slack``; ``period_start`` the UTC start of the period.
    pending → sending (claimed, ``claimed_at``) → sent, or failed (tried again, a few times)."""

    __tablename__ = "digest_sends"
    __table_args__ = (
        UniqueConstraint("workspace_id", "recipient", "period", "period_start", name="uq_digest_sends_once"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    recipient: Mapped[str] = mapped_column(String(40))
    period: Mapped[str] = mapped_column(String(8))
    period_start: Mapped[datetime] = mapped_column()
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    claimed_at: Mapped[datetime | None] = mapped_column()
    sent_at: Mapped[datetime | None] = mapped_column()
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
