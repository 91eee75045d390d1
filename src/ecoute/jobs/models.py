"""The durable job ledger: one row per piece of background work, written in the same transaction
as the change that causes it, so that nothing committed is ever left without its follow-up.

The task queue (Huey) only carries job ids to wake a worker up; this table is the truth. A row is
``pending`` until a worker claims it (``running``, with a lease), then ``done`` or, after its last
attempt, ``dead``. A lease that runs out (a worker killed mid-job) makes the row claimable again,
and the scheduler's sweep puts it back on the queue. ``key`` is unique: deferring the same work
twice stores it once, and handlers send it as the idempotency key of their side effects.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ecoute.store.models import Base
from ecoute.store.types import utcnow

JOB_STATES = ("pending", "running", "done", "dead")


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (
        # The sweep and the queue gauges: what is waiting, per queue, oldest first.
        Index("ix_jobs_state_queue_run_at", "state", "queue", "run_at"),
        Index("ix_jobs_ws_kind", "workspace_id", "kind", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int | None] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(80))
    key: Mapped[str] = mapped_column(String(255), unique=True)
    queue: Mapped[str] = mapped_column(String(20))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    state: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=8)
    run_at: Mapped[datetime] = mapped_column(default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column()
    leased_by: Mapped[str | None] = mapped_column(String(120))
    kicked_at: Mapped[datetime | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()
