"""Retraining on the task queue: every hour, each workspace whose agents corrected enough posts since
the last attempt gets new heads (kept only if they are not worse); an admin can ask for it now."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from ecoute.jobs import JobContext, job, periodic
from ecoute.learning.retrain import due_workspaces, retrain_workspace

logger = logging.getLogger(__name__)
LEASE = timedelta(minutes=30)  # embedding the bundled posts the first time takes minutes


@periodic("learning.retrain", every=timedelta(hours=1), queue="bulk", lease=LEASE)
def retrain_due(ctx: JobContext) -> None:
    for workspace_id in due_workspaces(ctx.db):
        outcome = retrain_workspace(ctx.db, ctx.settings, workspace_id)
        ctx.heartbeat()
        if outcome.status in ("kept", "rejected"):
            logger.info(
                "learning.retrain_done",
                extra={"workspace_id": workspace_id, "status": outcome.status, "version": outcome.version},
            )


@job("learning.retrain_now", queue="bulk", lease=LEASE, max_attempts=2)
def retrain_now(ctx: JobContext, payload: dict[str, Any]) -> None:
    """Asked for from the settings page: retrain even if few corrections are new."""
    if ctx.workspace_id is not None:
        retrain_workspace(ctx.db, ctx.settings, ctx.workspace_id, force=True)
