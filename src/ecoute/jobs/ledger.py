"""Reading and writing the job ledger: defer in the caller's transaction, claim with a lease,
finish, retry with back-off, give up; what the sweep re-queues; the queues' gauges.

Every change of state is a compare-and-set on the row (its state and attempt number), so two
workers given the same job — a message delivered twice, a sweep racing a slow worker — never
both run it: exactly one claim succeeds.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import and_, case, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ecoute.jobs import registry
from ecoute.jobs.models import Job
from ecoute.store.db import Database
from ecoute.store.types import utcnow

logger = logging.getLogger(__name__)

KICKS = "ecoute.jobs.kicks"  # session.info entry: the jobs to put on the queue after commit
KEY_MAX = 255
# Waits after failed attempt 1, 2, …; the last one repeats. With jitter, so that a platform that
# came back is not hit by every waiting job in the same second.
BACKOFF_S: tuple[int, ...] = (5, 30, 120, 600, 1800, 3600)
MAX_ERROR = 2000


@dataclass(frozen=True)
class Kick:
    """A job to put on its queue once the transaction that wrote it has committed."""

    job_id: int
    queue: str
    run_at: datetime


@dataclass(frozen=True)
class Claimed:
    """A job a worker now holds: copied out of the row, so the handler runs with no transaction open."""

    id: int
    kind: str
    key: str
    queue: str
    payload: dict[str, Any]
    attempt: int
    workspace_id: int | None
    lease: timedelta


def defer(
    session: Session,
    kind: str,
    payload: dict[str, Any] | None = None,
    *,
    key: str,
    workspace_id: int | None = None,
    run_at: datetime | None = None,
) -> int | None:
    """Record a job in the caller's transaction; it goes on its queue when that commits.

    Returns its id, or None when a job with this ``key`` already exists (the same work deferred
    twice is stored once, whatever state the first one is in).
    """
    from ecoute.jobs import kicks  # noqa: F401 - the after-commit hook that queues what is deferred

    spec = registry.spec(kind)
    if not key or len(key) > KEY_MAX:
        raise ValueError(f"job key must be 1 to {KEY_MAX} characters, got {len(key)}")
    now = utcnow()
    when = run_at or now
    values = {
        "workspace_id": workspace_id,
        "kind": kind,
        "key": key,
        "queue": spec.queue,
        "payload": payload or {},
        "state": "pending",
        "attempts": 0,
        "max_attempts": spec.max_attempts,
        "run_at": when,
        # Optimistic: the kick follows the commit. A kick that fails clears it (see kicks.py), and
        # the sweep re-queues jobs whose kick is old, so a lost kick only delays a job.
        "kicked_at": now,
        "created_at": now,
    }
    job_id = session.execute(_insert_job(session.get_bind().dialect.name), values).scalar()
    if job_id is None:
        return None
    session.info.setdefault(KICKS, []).append(Kick(job_id, spec.queue, when))
    return job_id


@cache
def _insert_job(dialect: str) -> Any:
    """``INSERT … ON CONFLICT (key) DO NOTHING RETURNING id`` on the jobs table, built once per
    dialect with the row as parameters: SQLAlchemy compiles it once, where an ORM insert with the
    values inlined cost more than the database's own work (the webhook's acknowledgement)."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = Job.__table__
    return insert(table).on_conflict_do_nothing(index_elements=["key"]).returning(table.c.id)


def claim(db: Database, job_id: int, worker: str, *, now: datetime | None = None) -> Claimed | None:
    """Take the job if it is due and free (pending, or running with a lease that ran out)."""
    now = now or utcnow()
    with db.session() as session:
        row = session.get(Job, job_id)
        if row is None or row.state in ("done", "dead"):
            return None
        if row.state == "pending" and row.run_at > now + timedelta(seconds=1):
            return None  # not due yet: its timed message (or the sweep) brings it back
        if row.state == "running" and row.lease_until is not None and row.lease_until >= now:
            return None  # someone holds it
        if row.state == "running" and row.attempts >= row.max_attempts:
            _set(
                session,
                row,
                state="dead",
                finished_at=now,
                lease_until=None,
                last_error=_cut(
                    f"{row.last_error or ''}\nthe worker stopped during the last attempt".strip()
                ),
            )
            logger.warning("job.dead", extra={"job_id": row.id, "kind": row.kind, "reason": "lease ran out"})
            return None
        try:
            spec = registry.spec(row.kind)
        except registry.UnknownJob as error:
            _set(session, row, state="dead", finished_at=now, last_error=str(error))
            return None
        won = _set(
            session,
            row,
            state="running",
            attempts=row.attempts + 1,
            lease_until=now + spec.lease,
            leased_by=worker[:120],
            started_at=now,
        )
        if not won:
            return None
        return Claimed(
            row.id,
            row.kind,
            row.key,
            row.queue,
            dict(row.payload or {}),
            row.attempts + 1,
            row.workspace_id,
            spec.lease,
        )


def _set(session: Session, row: Job, **values: Any) -> bool:
    """Compare-and-set: change the row only if nobody changed its state or attempts since it was read."""
    result = session.execute(
        update(Job)
        .where(Job.id == row.id, Job.state == row.state, Job.attempts == row.attempts)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)


def _mine(claimed: Claimed) -> Any:
    return and_(Job.id == claimed.id, Job.state == "running", Job.attempts == claimed.attempt)


def extend(db: Database, claimed: Claimed, *, now: datetime | None = None) -> None:
    """Push the lease of a job still running further out (its handler called ``ctx.heartbeat()``)."""
    with db.session() as session:
        session.execute(
            update(Job).where(_mine(claimed)).values(lease_until=(now or utcnow()) + claimed.lease)
        )


def finish(db: Database, claimed: Claimed, *, now: datetime | None = None) -> None:
    with db.session() as session:
        session.execute(
            update(Job)
            .where(_mine(claimed))
            .values(state="done", finished_at=now or utcnow(), lease_until=None, last_error=None)
        )


def retry_later(
    db: Database, claimed: Claimed, seconds: float, reason: str, *, now: datetime | None = None
) -> None:
    """Run again in ``seconds``; not counted as a failed attempt (a rate limit is not a failure)."""
    now = now or utcnow()
    run_at = now + timedelta(seconds=seconds)
    with db.session() as session:
        done = session.execute(
            update(Job)
            .where(_mine(claimed))
            .values(
                state="pending",
                attempts=claimed.attempt - 1,
                run_at=run_at,
                lease_until=None,
                kicked_at=now,
                last_error=_cut(reason),
            )
        )
        if done.rowcount:
            session.info.setdefault(KICKS, []).append(Kick(claimed.id, claimed.queue, run_at))


def failed(
    db: Database, claimed: Claimed, error: str, *, permanent: bool = False, now: datetime | None = None
) -> str:
    """Record a failed attempt: retried after a back-off, or given up ("dead") after the last
    attempt or a permanent error. Returns the new state."""
    now = now or utcnow()
    with db.session() as session:
        max_attempts = session.scalar(select(Job.max_attempts).where(Job.id == claimed.id)) or 1
        if permanent or claimed.attempt >= max_attempts:
            session.execute(
                update(Job)
                .where(_mine(claimed))
                .values(state="dead", finished_at=now, lease_until=None, last_error=_cut(error))
            )
            return "dead"
        run_at = now + backoff_after(claimed.attempt)
        done = session.execute(
            update(Job)
            .where(_mine(claimed))
            .values(state="pending", run_at=run_at, lease_until=None, kicked_at=now, last_error=_cut(error))
        )
        if done.rowcount:
            session.info.setdefault(KICKS, []).append(Kick(claimed.id, claimed.queue, run_at))
        return "pending"


def backoff_after(attempt: int) -> timedelta:
    base = BACKOFF_S[min(attempt, len(BACKOFF_S)) - 1]
    return timedelta(seconds=base * random.uniform(0.8, 1.2))  # noqa: S311 - jitter, not a secret


def _cut(text: str) -> str:
    return text if len(text) <= MAX_ERROR else text[: MAX_ERROR - 1] + "…"


# --- the sweep ------------------------------------------------------------------------------


@dataclass
class SweepReport:
    requeued: int = 0  # pending jobs whose queue message was lost (or never sent)
    taken_over: int = 0  # running jobs whose lease ran out: their worker died
    buried: int = 0  # the same, on their last attempt


def sweep(
    db: Database,
    *,
    now: datetime | None = None,
    idle_queues: frozenset[str] = frozenset(),
    grace: timedelta = timedelta(seconds=10),
    patience: timedelta = timedelta(minutes=15),
    limit: int = 5000,
) -> SweepReport:
    """Put back on their queue the jobs that should be running and are not: due pending jobs
    whose kick is older than ``patience`` (or ``grace`` when their queue holds no message at all,
    e.g. after the queue's store was flushed), and running jobs whose lease ran out."""
    now = now or utcnow()
    report = SweepReport()
    with db.session() as session:
        expired = list(
            session.execute(
                select(Job.id, Job.queue, Job.attempts, Job.max_attempts)
                .where(Job.state == "running", Job.lease_until < now)
                .order_by(Job.lease_until)
                .limit(limit)
            )
        )
        kicks: list[Kick] = []
        for job_id, queue, attempts, max_attempts in expired:
            if attempts >= max_attempts:
                report.buried += 1  # claim() buries it with the reason
            else:
                report.taken_over += 1
            kicks.append(Kick(job_id, queue, now))
        stale = or_(Job.kicked_at.is_(None), Job.kicked_at < now - patience)
        if idle_queues:
            stale = or_(stale, and_(Job.queue.in_(sorted(idle_queues)), Job.kicked_at < now - grace))
        lost = list(
            session.execute(
                select(Job.id, Job.queue)
                .where(Job.state == "pending", Job.run_at <= now - grace, stale)
                .order_by(Job.run_at)
                .limit(limit)
            )
        )
        if lost:
            ids = [job_id for job_id, _ in lost]
            for start in range(0, len(ids), 500):
                session.execute(update(Job).where(Job.id.in_(ids[start : start + 500])).values(kicked_at=now))
            kicks.extend(Kick(job_id, queue, now) for job_id, queue in lost)
        report.requeued = len(lost)
        session.info.setdefault(KICKS, []).extend(kicks)
    if report.requeued or report.taken_over or report.buried:
        logger.warning("jobs.swept", extra=report.__dict__)
    return report


def purge(
    db: Database,
    *,
    now: datetime | None = None,
    keep_done: timedelta = timedelta(days=14),
    keep_dead: timedelta = timedelta(days=60),
) -> int:
    """Forget finished jobs after a while (their keys with them: a key is only ever reused by
    work deferred again long after, which is then new work)."""
    now = now or utcnow()
    with db.session() as session:
        result = session.execute(
            delete(Job).where(
                or_(
                    and_(Job.state == "done", Job.finished_at < now - keep_done),
                    and_(Job.state == "dead", Job.finished_at < now - keep_dead),
                )
            )
        )
        return int(result.rowcount or 0)


# --- gauges ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueGauge:
    queue: str
    waiting: int  # pending and due
    scheduled: int  # pending, due later (retries, timed work)
    running: int
    oldest_wait_s: float  # how long the oldest due job has been waiting (0: none)
    dead: int  # given up, still kept for inspection


def gauges(session: Session, *, now: datetime | None = None) -> list[QueueGauge]:
    """Per queue: what waits, for how long, what runs, what was given up — read from the ledger,
    so they stay true whatever happened to the queue's own store."""
    now = now or utcnow()
    due = Job.run_at <= now
    rows = session.execute(
        select(
            Job.queue,
            Job.state,
            func.sum(case((due, 1), else_=0)),
            func.count(),
            func.min(case((due, Job.run_at), else_=None)),
        )
        .where(Job.state != "done")
        .group_by(Job.queue, Job.state)
    ).all()
    table: dict[str, dict[str, Any]] = {q: _empty_gauge() for q in registry.QUEUES}
    for queue, state, due_count, count, oldest in rows:
        entry = table.setdefault(queue, _empty_gauge())
        if state == "pending":
            entry["waiting"] += int(due_count or 0)
            entry["scheduled"] += count - int(due_count or 0)
            if oldest is not None:
                entry["oldest"] = oldest if entry["oldest"] is None else min(entry["oldest"], oldest)
        elif state in ("running", "dead"):
            entry[state] += count
    return [
        QueueGauge(
            queue,
            e["waiting"],
            e["scheduled"],
            e["running"],
            max(0.0, (now - e["oldest"]).total_seconds()) if e["oldest"] else 0.0,
            e["dead"],
        )
        for queue, e in table.items()
    ]


def _empty_gauge() -> dict[str, Any]:
    return {"waiting": 0, "scheduled": 0, "running": 0, "dead": 0, "oldest": None}
