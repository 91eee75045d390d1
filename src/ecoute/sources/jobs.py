"""Hearing on its own: every minute the due sources get a poll job each (at their own interval,
with jitter, backing off after failures), and items pushed to Écoute (webhooks) are stored and
analysed by an ``ingest`` worker, after the push was acknowledged.
"""

from __future__ import annotations

import logging
import random
from dataclasses import fields
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ecoute.http import waits_at_most
from ecoute.inbox.rule_engine import rules_hook
from ecoute.ingest import IngestOptions, compose_hooks, ingest
from ecoute.jobs import JobContext, Permanent, defer, job, periodic
from ecoute.sources import registry
from ecoute.sources.base import Connector, RawItem, SourceError
from ecoute.store.models import Source, Workspace
from ecoute.store.revisions import mark_deleted
from ecoute.store.types import utcnow
from ecoute.webhooks.events import enqueue_high_priority

logger = logging.getLogger(__name__)
POLL_LEASE = timedelta(minutes=15)  # a source is not polled again meanwhile, even if its job died
# Ingest jobs renew their lease after every stored batch, so a short one only has to outlast a batch.
INGEST_LEASE = timedelta(minutes=2)
# A poll job does not sleep in its worker thread for longer than this when a platform says
# ``Retry-After``: the source is polled again after the wait, and the thread serves others meanwhile.
POLL_MAX_WAIT_S = 5.0
MAX_BACKOFF = timedelta(hours=6)
RECONNECT_CHECK = timedelta(hours=1)  # a source that needs reconnecting is tried again this often
JITTER = 0.1
_ITEM_FIELDS = {f.name for f in fields(RawItem)}


def pollable(kind: str) -> bool:
    found = registry.available().get(kind)
    return found is not None and isinstance(found(), Connector)


@periodic("sources.due", every=timedelta(minutes=1), queue="interactive")
def defer_due_polls(ctx: JobContext) -> None:
    """One ``source.poll`` job for each unpaused source whose next poll has come."""
    now = utcnow()
    with ctx.db.session() as session:
        due = session.scalars(
            select(Source).where(
                Source.paused.is_(False),
                or_(Source.next_poll_at.is_(None), Source.next_poll_at <= now),
            )
        ).all()
        for source in due:
            if pollable(source.kind):
                defer_poll(session, source, now, key=f"source.poll:{source.id}:{int(now.timestamp())}")


def defer_poll(session: Session, source: Source, now: datetime, *, key: str) -> None:
    """One ``source.poll`` job for this source, in the caller's transaction."""
    # Held for the poll's lease: if its job dies, the source comes round again after it.
    source.next_poll_at = now + POLL_LEASE
    defer(session, "source.poll", {"source_id": source.id}, key=key, workspace_id=source.workspace_id)


@job("source.poll", queue="poll", lease=INGEST_LEASE, max_attempts=2)
def poll(ctx: JobContext, payload: dict[str, Any]) -> None:
    """Poll one source. Polls have their own queue and threads (they wait on platforms), so a
    source that is slow, hangs until the HTTP timeout or is rate-limited holds one poll thread
    while the others go on polling the rest."""
    from ecoute.polling import poll_source

    workspace, source = _load(ctx, int(payload["source_id"]))
    if source is None or source.paused:
        return
    try:
        with waits_at_most(POLL_MAX_WAIT_S):
            poll_source(ctx.db, workspace, source, options=_options(workspace, ctx))
    except SourceError as error:
        with ctx.db.session() as session:
            _after_poll(session, workspace.id, source.id, utcnow(), error)
        return
    with ctx.db.session() as session:
        _after_poll(session, workspace.id, source.id, utcnow(), None)


def _load(ctx: JobContext, source_id: int) -> tuple[Workspace, Source | None]:
    with ctx.db.session() as session:
        workspace = session.get(Workspace, ctx.workspace_id) if ctx.workspace_id else None
        if workspace is None:
            raise Permanent(f"no workspace #{ctx.workspace_id}")
        source = session.scalar(
            select(Source).where(Source.workspace_id == workspace.id, Source.id == source_id)
        )
        return workspace, source


def _after_poll(
    session: Session, workspace_id: int, source_id: int, now: datetime, error: SourceError | None
) -> None:
    source = session.scalar(select(Source).where(Source.workspace_id == workspace_id, Source.id == source_id))
    if source is None:
        return
    source.last_run_at = now
    if error is None:
        source.health, source.last_error, source.consecutive_failures = "ok", None, 0
        source.last_success_at = now
    source.next_poll_at = now + next_poll_in(source, error)


def next_poll_in(source: Source, error: SourceError | None) -> timedelta:
    """When to poll again: the source's interval with ±10 % jitter (so sources added together do
    not stay in step); after a failure, what its kind asks for — the platform's Retry-After for a
    rate limit, a doubling back-off for errors that may pass, an hourly check while the source
    needs reconnecting."""
    interval = max(60, source.poll_interval_s or 300)
    jittered = timedelta(seconds=interval * random.uniform(1 - JITTER, 1 + JITTER))  # noqa: S311
    if error is None:
        return jittered
    if error.kind == "auth":
        return RECONNECT_CHECK
    if error.kind == "rate_limit" and error.retry_after is not None:
        return max(timedelta(seconds=error.retry_after), timedelta(seconds=30))
    failures = max(1, source.consecutive_failures)
    return min(MAX_BACKOFF, timedelta(seconds=interval * 2 ** min(failures, 12)))


def _options(workspace: Workspace, ctx: JobContext, *, keep_unmatched: bool = True) -> IngestOptions:
    """The ingest options of a worker: analysis (unless turned off), the workspace's rules and
    webhooks after each batch, and the job's lease renewed after each batch."""
    annotate = None
    if ctx.settings.flag("analysis"):
        from ecoute.analysis_bridge import annotator
        from ecoute.learning.retrain import sync

        sync(ctx.db, ctx.settings, workspace.id, workspace.slug)  # heads retrained on another machine
        annotate = annotator(workspace, ctx.settings)
    return IngestOptions(
        batch_size=ctx.settings.int("batch_size"),
        annotate=annotate,
        keep_unmatched=keep_unmatched,
        on_batch=lambda _report: ctx.heartbeat(),
        after_store=compose_hooks(rules_hook(), enqueue_high_priority),
    )


# --- pushed items ---------------------------------------------------------------------------


def defer_items(
    session: Session,
    workspace_id: int,
    items: list[RawItem],
    *,
    key: str,
    source_id: int | None = None,
    deleted: list[str] | None = None,
) -> int | None:
    """Record pushed items as one ``ingest.items`` job in the caller's transaction: once that
    commits, they are safe (acknowledge the push then), and a worker stores and analyses them.
    ``deleted``: ids the platform says were removed (marked deleted on the source's platform)."""
    payload: dict[str, Any] = {"source_id": source_id, "items": [item_to_dict(item) for item in items]}
    if deleted:
        payload["deleted"] = list(deleted)
    return defer(session, "ingest.items", payload, key=key, workspace_id=workspace_id)


def item_to_dict(item: RawItem) -> dict[str, Any]:
    values = {name: getattr(item, name) for name in _ITEM_FIELDS}
    if isinstance(values["created_at"], datetime):
        values["created_at"] = values["created_at"].isoformat()
    return values


def item_from_dict(values: dict[str, Any]) -> RawItem:
    unknown = set(values) - _ITEM_FIELDS
    if unknown:
        raise Permanent(f"ingest.items: unknown item field(s) {', '.join(sorted(unknown))}")
    return RawItem(**values)


@job("ingest.items", queue="ingest", lease=INGEST_LEASE, max_attempts=5)
def ingest_items(ctx: JobContext, payload: dict[str, Any]) -> None:
    """Store and analyse pushed items through the one ingest path (idempotent: an item already
    stored is a counted duplicate, so a job run twice stores nothing twice)."""
    source_id = payload.get("source_id")
    with ctx.db.session() as session:
        workspace = session.get(Workspace, ctx.workspace_id) if ctx.workspace_id else None
        if workspace is None:
            raise Permanent(f"no workspace #{ctx.workspace_id}")
        source = None
        if source_id is not None:
            source = session.scalar(
                select(Source).where(Source.workspace_id == workspace.id, Source.id == int(source_id))
            )
    items = [item_from_dict(dict(values)) for values in payload.get("items", [])]
    keep = source.settings.get("keep_unmatched", True) if source is not None else True
    options = _options(workspace, ctx, keep_unmatched=keep)
    report = ingest(ctx.db, workspace, items, source=source, options=options)
    deleted = [str(i) for i in payload.get("deleted", [])]
    if deleted and source is not None:
        with ctx.db.session() as session:
            mark_deleted(session, workspace.id, source.platform, deleted)
    logger.info("ingest.items_done", extra={"job_id": ctx.job_id, **report.as_dict(), "rejects": None})
