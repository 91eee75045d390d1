"""The spike scan on the task queue: every hour, each workspace's hourly mention counts and
negative share go through the detectors, and their episodes are kept as alerts; each alert's
e-mail and chat message is sent by a job of its own, retried."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from ecoute.jobs import JobContext, job, periodic
from ecoute.store.models import Workspace
from ecoute.warn import deliver
from ecoute.warn.models import AlertMessage
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


@job(deliver.JOB, queue="delivery", lease=timedelta(minutes=5), max_attempts=deliver.MAX_ATTEMPTS)
def deliver_message(ctx: JobContext, payload: dict[str, Any]) -> None:
    """Send one alert message; a refusal is retried with the queue's back-off, then given up."""
    failure: deliver.DeliveryFailed | None = None
    with ctx.db.session() as session:
        message = session.get(AlertMessage, int(payload["message_id"]))
        if message is None:
            return
        try:
            deliver.send(session, message, ctx.settings)
        except deliver.DeliveryFailed as error:  # the attempt and its error are kept
            failure = error
            if ctx.attempt >= deliver.MAX_ATTEMPTS:
                message.status = "failed"
    if failure is not None and ctx.attempt < deliver.MAX_ATTEMPTS:
        raise failure
