"""The Insights roll-ups on the task queue: every five minutes each workspace's daily roll-ups are
extended to yesterday and the days whose mentions changed since are recomputed. Figures stay exact
in between: a reader counts changed days from the mentions until the job has been."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select

from ecoute.jobs import JobContext, periodic
from ecoute.store.models import Workspace
from ecoute.store.types import utcnow

from .rollups import forget_gone_workspaces, refresh

logger = logging.getLogger(__name__)


@periodic("insights.rollup", every=timedelta(minutes=5), queue="bulk", lease=timedelta(minutes=15))
def rollup_all(ctx: JobContext) -> None:
    with ctx.db.session() as session:
        workspaces = list(session.execute(select(Workspace.id, Workspace.timezone).order_by(Workspace.id)))
        forget_gone_workspaces(session)
    for workspace_id, timezone in workspaces:
        done = refresh(ctx.db, workspace_id, timezone, utcnow())
        if done.built or done.recomputed:
            logger.info(
                "insights.rolled_up",
                extra={"workspace_id": workspace_id, "built": done.built, "recomputed": done.recomputed},
            )
        ctx.heartbeat()
