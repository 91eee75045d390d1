"""The spike scan on the task queue: every hour, each workspace's hourly mention counts and
negative share go through the detectors, and their episodes are kept as alerts."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select

from ecoute.jobs import JobContext, periodic
from ecoute.store.models import Workspace
from ecoute.warn.scan import scan_workspace

logger = logging.getLogger(__name__)


@periodic("warn.scan", every=timedelta(hours=1), queue="bulk", lease=timedelta(minutes=15))
def scan_all(ctx: JobContext) -> None:
    with ctx.db.session() as session:
        workspace_ids = list(session.scalars(select(Workspace.id).order_by(Workspace.id)))
    for workspace_id in workspace_ids:
        alerts = scan_workspace(ctx.db, workspace_id)
        ctx.heartbeat()
        open_now = sum(a.ended_at is None for a in alerts)
        if open_now:
            logger.info("warn.scan_open_alerts", extra={"workspace_id": workspace_id, "open": open_now})
