"""The ledger's own upkeep: forget finished jobs after a while."""

from __future__ import annotations

import logging
from datetime import timedelta

from ecoute.jobs import ledger
from ecoute.jobs.registry import JobContext, periodic

logger = logging.getLogger(__name__)


@periodic("jobs.purge", every=timedelta(days=1), queue="bulk")
def purge_finished(ctx: JobContext) -> None:
    removed = ledger.purge(ctx.db)
    logger.info("jobs.purged", extra={"removed": removed})
