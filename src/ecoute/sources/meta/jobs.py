"""``meta.mentions``: the Instagram mentions a webhook named (by id only) read from the Graph API
and stored through the one ingest path, after the webhook was acknowledged."""

from __future__ import annotations

import logging
from typing import Any

from ecoute.ingest import ingest
from ecoute.jobs import JobContext, Permanent, job
from ecoute.sources.base import SourceError
from ecoute.sources.jobs import INGEST_LEASE, _load, _options
from ecoute.sources.meta.connector import InstagramSource

logger = logging.getLogger(__name__)


@job("meta.mentions", queue="ingest", lease=INGEST_LEASE, max_attempts=5)
def fetch_mentions(ctx: JobContext, payload: dict[str, Any]) -> None:
    workspace, source = _load(ctx, int(payload["source_id"]))
    if source is None or source.kind != "instagram":
        return
    mentions = [m for m in payload.get("mentions", []) if isinstance(m, dict)]
    try:
        items = InstagramSource(ctx.settings).mentioned(source.settings, mentions)
    except SourceError as error:
        if not error.retriable:
            raise Permanent(f"meta.mentions: {error}") from None  # trying again will not help
        raise
    options = _options(workspace, ctx, keep_unmatched=source.settings.get("keep_unmatched", True))
    report = ingest(ctx.db, workspace, items, source=source, options=options)
    logger.info("meta.mentions_done", extra={"job_id": ctx.job_id, "stored": report.stored})
