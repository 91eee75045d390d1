"""Running one job: claim it in the ledger, call its handler with no transaction open, record the
outcome (done, retried later, or given up), and tell whoever listens (metrics, logs)."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from ecoute.jobs import kicks as _kicks  # noqa: F401 - registers the after-commit kick
from ecoute.jobs import ledger, registry
from ecoute.jobs.registry import JobContext, Permanent, RetryLater
from ecoute.settings import Settings
from ecoute.store.db import Database

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    job_id: int
    kind: str
    queue: str
    state: str  # done, pending (to retry), dead, skipped (not claimed)
    seconds: float
    error: str | None = None


# Called with every outcome (the Prometheus metrics register one).
listeners: list[Callable[[Outcome], None]] = []


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.current_thread().name}"


def run_job(db: Database, settings: Settings, job_id: int) -> Outcome:
    claimed = ledger.claim(db, job_id, worker_name())
    if claimed is None:
        return Outcome(job_id, "", "", "skipped", 0.0)
    spec = registry.spec(claimed.kind)
    ctx = JobContext(
        db=db,
        settings=settings,
        job_id=claimed.id,
        kind=claimed.kind,
        key=claimed.key,
        attempt=claimed.attempt,
        workspace_id=claimed.workspace_id,
        queue=claimed.queue,
        lease=claimed.lease,
        extend=lambda: ledger.extend(db, claimed),
    )
    started = time.perf_counter()
    state, error = "done", None
    try:
        spec.handler(ctx, claimed.payload)
    except RetryLater as later:
        state, error = "pending", later.reason or str(later)
        ledger.retry_later(db, claimed, later.seconds, error)
    except Permanent as given_up:
        state, error = "dead", str(given_up) or "given up"
        ledger.failed(db, claimed, error, permanent=True)
    except Exception as failure:  # noqa: BLE001 - any failure of a job is recorded and retried, never lost
        error = f"{type(failure).__name__}: {failure}"
        state = ledger.failed(db, claimed, error)
        logger.warning(
            "job.failed",
            extra={
                "job_id": claimed.id,
                "kind": claimed.kind,
                "attempt": claimed.attempt,
                "error": error[:300],
            },
            exc_info=True,
        )
    else:
        ledger.finish(db, claimed)
    outcome = Outcome(claimed.id, claimed.kind, claimed.queue, state, time.perf_counter() - started, error)
    for listener in listeners:
        listener(outcome)
    return outcome


def run_due(
    db: Database, settings: Settings, *, queues: tuple[str, ...] = registry.QUEUES, limit: int = 1000
) -> list[Outcome]:
    """Run the jobs that are due now in this process, oldest first (``ecoute jobs run``, tests)."""
    from sqlalchemy import select

    from ecoute.jobs.models import Job
    from ecoute.store.types import utcnow

    with db.session() as session:
        ids = list(
            session.scalars(
                select(Job.id)
                .where(Job.state == "pending", Job.run_at <= utcnow(), Job.queue.in_(queues))
                .order_by(Job.run_at, Job.id)
                .limit(limit)
            )
        )
    return [run_job(db, settings, job_id) for job_id in ids]
