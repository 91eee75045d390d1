"""Poll a registered source once: fetch through its connector, store through the ingest path."""

from __future__ import annotations

import logging
from dataclasses import replace

from ecoute.inbox.rule_engine import rules_hook
from ecoute.ingest import IngestOptions, IngestReport, compose_hooks, ingest
from ecoute.respond.platform_replies import record_platform_replies
from ecoute.sources import reconnect_notice, registry
from ecoute.sources.base import Connector, SourceError
from ecoute.store import repo
from ecoute.store.db import Database
from ecoute.store.models import Source, Workspace
from ecoute.store.revisions import mark_deleted
from ecoute.store.types import utcnow
from ecoute.webhooks.events import enqueue_high_priority

logger = logging.getLogger(__name__)


def poll_source(
    db: Database, workspace: Workspace, source: Source, options: IngestOptions | None = None
) -> IngestReport:
    """One poll. The cursor is saved with the last batch, so a crash re-polls rather than skips.

    A failing source is marked unhealthy (with the error) and the error re-raised for the caller.
    """
    connector = registry.get(source.kind)()
    if not isinstance(connector, Connector):
        raise SourceError(f"source {source.name!r} ({source.kind}) cannot be polled", retriable=False)
    try:
        result = connector.poll(source.settings, source.cursor or {})
    except SourceError as error:
        with db.session() as session:
            if repo.record_source_failure(session, workspace.id, source.id, str(error), kind=error.kind):
                reconnect_notice.announce(session, workspace.id, source.id, utcnow())
        logger.warning(
            "source.poll_failed",
            extra={"source": source.name, "retriable": error.retriable, "kind": error.kind},
        )
        raise
    # Without options, the defaults apply the workspace's rules then queue webhooks; given options
    # keep their own hooks (``ecoute.cli.ingest.ingest_options`` composes the same two).
    base = options or IngestOptions(after_store=compose_hooks(rules_hook(), enqueue_high_priority))
    options = replace(base, keep_unmatched=source.settings.get("keep_unmatched", False), cursor=result.cursor)
    report = ingest(db, workspace, result.items, source=source, options=options)
    with db.session() as session:
        if result.deleted:
            mark_deleted(session, workspace.id, source.platform, result.deleted)
        if result.answered:
            record_platform_replies(session, workspace.id, source.platform, result.answered)
        repo.record_source_success(session, workspace.id, source.id)
    return report
