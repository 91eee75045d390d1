"""What an operator wants to know at a glance, read from the database: the queues, the workers
seen lately, the sources' health, the last mention stored. ``ecoute status`` prints it and the
Prometheus metrics are computed from it at scrape time (so every process reports the same truth)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ecoute.jobs import ledger
from ecoute.jobs.models import Job
from ecoute.store.models import Mention, Source, Workspace
from ecoute.store.types import utcnow

# A worker that started a job within this window counts as seen (workers leave no other trace).
WORKER_WINDOW = timedelta(minutes=15)


@dataclass(frozen=True)
class SourceState:
    workspace: str
    name: str
    platform: str
    health: str
    paused: bool
    consecutive_failures: int
    last_success_at: datetime | None


@dataclass(frozen=True)
class WorkerSeen:
    name: str  # host:pid
    last_started_at: datetime


@dataclass(frozen=True)
class Snapshot:
    queues: list[ledger.QueueGauge]
    workers: list[WorkerSeen]
    sources: list[SourceState]
    mentions: dict[str, int] = field(default_factory=dict)  # per workspace slug
    last_ingest_at: datetime | None = None
    failed_jobs: dict[str, int] = field(default_factory=dict)  # per kind: given up, still kept


def take(session: Session, *, now: datetime | None = None) -> Snapshot:
    now = now or utcnow()
    return Snapshot(
        queues=ledger.gauges(session, now=now),
        workers=workers_seen(session, now - WORKER_WINDOW),
        sources=sources(session),
        mentions=mention_counts(session),
        last_ingest_at=session.scalar(select(func.max(Mention.collected_at))),
        failed_jobs=given_up(session),
    )


def given_up(session: Session) -> dict[str, int]:
    query = select(Job.kind, func.count()).where(Job.state == "dead").group_by(Job.kind)
    return dict(session.execute(query).all())


def workers_seen(session: Session, since: datetime) -> list[WorkerSeen]:
    rows = session.execute(
        select(Job.leased_by, func.max(Job.started_at))
        .where(Job.started_at >= since, Job.leased_by.is_not(None))
        .group_by(Job.leased_by)
    )
    latest: dict[str, datetime] = {}
    for leased_by, started in rows:
        process = ":".join(str(leased_by).split(":")[:2])  # host:pid:thread -> host:pid
        latest[process] = max(started, latest.get(process, started))
    return [WorkerSeen(name, at) for name, at in sorted(latest.items())]


def sources(session: Session) -> list[SourceState]:
    rows = session.execute(
        select(Workspace.slug, Source)
        .join(Workspace, Workspace.id == Source.workspace_id)
        .order_by(Workspace.slug, Source.name)
    )
    return [
        SourceState(slug, s.name, s.platform, s.health, s.paused, s.consecutive_failures, s.last_success_at)
        for slug, s in rows
    ]


def mention_counts(session: Session) -> dict[str, int]:
    rows = session.execute(
        select(Workspace.slug, func.count(Mention.id))
        .join(Mention, Mention.workspace_id == Workspace.id)
        .group_by(Workspace.slug)
    )
    return {slug: count for slug, count in rows}
