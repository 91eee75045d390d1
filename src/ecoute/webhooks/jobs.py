"""Outgoing webhooks on the ``delivery`` queue: a job right after deliveries are queued, and a
periodic pass for retries whose back-off ran out. Each delivery row is its own ledger entry
(claimed with a lease, sent with its ``event_id`` as the receiver's idempotency key)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from ecoute.jobs import JobContext, defer, job, periodic
from ecoute.webhooks.delivery import deliver_due


@job("webhooks.deliver", queue="delivery", lease=timedelta(minutes=10), max_attempts=3)
def deliver_now(ctx: JobContext, payload: dict[str, Any]) -> None:
    deliver_due(ctx.db, settings=ctx.settings)


@periodic("webhooks.deliver", every=timedelta(minutes=1), queue="delivery")
def deliver_retries(ctx: JobContext) -> None:
    deliver_due(ctx.db, settings=ctx.settings)


def deliver_soon(session: Session, workspace_id: int) -> None:
    """Send the deliveries just queued in this transaction as soon as it commits."""
    defer(session, "webhooks.deliver", key=f"webhooks.deliver:{uuid.uuid4().hex}", workspace_id=workspace_id)
