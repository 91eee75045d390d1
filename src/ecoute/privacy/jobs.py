"""People's data on the task queue: each workspace's retention applied once a day."""

from __future__ import annotations

import logging
from datetime import timedelta

from ecoute.jobs import JobContext, periodic
from ecoute.privacy.retention import apply_retention
from ecoute.store.types import utcnow

logger = logging.getLogger(__name__)


@periodic("privacy.retention", every=timedelta(days=1), queue="bulk", lease=timedelta(minutes=30))
def retention_daily(ctx: JobContext) -> None:
    report = apply_retention(ctx.db, utcnow())
    logger.info("privacy.retention_done", extra={"mentions": sum(report.mentions.values())})
