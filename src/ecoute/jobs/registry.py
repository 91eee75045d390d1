"""What kinds of background work exist: ``@job`` handlers and ``@periodic`` work, each on a queue.

Modules that define jobs are listed in ``JOB_MODULES`` (like ``ROUTERS`` for the web app): the
built-in ones exactly like any extra one, imported once when the registry is first read.

Queues are latency tiers, each with workers of its own, so that a reply on its way is never stuck
behind a 100,000-item backfill:

- ``interactive``: what a person is waiting for (a reply being sent, a deadline notice);
- ``delivery``: outgoing webhooks and e-mails, retried with back-off;
- ``poll``: polling sources (waiting on platforms: several threads, so that a slow, stuck or
  rate-limited platform holds one of them, never the others);
- ``ingest``: storing and analysing what platforms push;
- ``bulk``: reports, digests, retraining, housekeeping.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ecoute.settings import Settings
    from ecoute.store.db import Database

QUEUES: tuple[str, ...] = ("interactive", "delivery", "poll", "ingest", "bulk")

JOB_MODULES: tuple[str, ...] = (
    "ecoute.jobs.housekeeping",
    "ecoute.sources.jobs",
    "ecoute.sources.meta.jobs",
    "ecoute.sources.reconnect_notice",
    "ecoute.respond.jobs",
    "ecoute.webhooks.jobs",
    "ecoute.keep_time.jobs",
    "ecoute.privacy.jobs",
    "ecoute.auth.jobs",
    "ecoute.learning.jobs",
    "ecoute.topics.jobs",
    "ecoute.insights.jobs",
    "ecoute.warn.jobs",
    "ecoute.incidents.jobs",
    "ecoute.digests.jobs",
)

DEFAULT_LEASE = timedelta(minutes=5)
DEFAULT_MAX_ATTEMPTS = 8


class RetryLater(Exception):
    """Raised by a handler to run the job again in ``seconds`` (a rate limit, a platform's
    Retry-After): it does not count as a failed attempt."""

    def __init__(self, seconds: float, reason: str = ""):
        super().__init__(reason or f"retry in {seconds:.0f} s")
        self.seconds = max(0.0, float(seconds))
        self.reason = reason


class Permanent(Exception):
    """Raised by a handler when trying again cannot help: the job is given up ("dead") at once."""


class UnknownJob(LookupError):
    pass


@dataclass
class JobContext:
    """What a handler gets besides its payload. ``key`` is the same on every attempt: send it as
    the idempotency key of anything the job does outside the database."""

    db: Database
    settings: Settings
    job_id: int
    kind: str
    key: str
    attempt: int
    workspace_id: int | None
    queue: str
    lease: timedelta = DEFAULT_LEASE
    extend: Callable[[], None] = field(default=lambda: None, repr=False)

    def heartbeat(self) -> None:
        """Tell the ledger this job is still running (long jobs call it now and then), so that
        its lease does not run out and another worker does not take it over."""
        self.extend()


Handler = Callable[[JobContext, dict[str, Any]], None]


@dataclass(frozen=True)
class JobSpec:
    kind: str
    queue: str
    handler: Handler
    lease: timedelta = DEFAULT_LEASE
    max_attempts: int = DEFAULT_MAX_ATTEMPTS


@dataclass(frozen=True)
class PeriodicSpec:
    """Work the scheduler defers once per ``every`` (a job of kind ``periodic:<name>``)."""

    name: str
    every: timedelta
    queue: str

    @property
    def kind(self) -> str:
        return f"periodic:{self.name}"


_jobs: dict[str, JobSpec] = {}
_periodic: dict[str, PeriodicSpec] = {}
_loaded = False
_lock = threading.Lock()


def _check_queue(queue: str) -> None:
    if queue not in QUEUES:
        raise ValueError(f"queue {queue!r}: use one of {', '.join(QUEUES)}")


def job(
    kind: str,
    *,
    queue: str = "ingest",
    lease: timedelta = DEFAULT_LEASE,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
) -> Callable[[Handler], Handler]:
    """Register ``handler(ctx, payload)`` as the code that runs jobs of ``kind``."""
    _check_queue(queue)

    def register(handler: Handler) -> Handler:
        _jobs[kind] = JobSpec(kind, queue, handler, lease, max_attempts)
        return handler

    return register


def periodic(
    name: str, *, every: timedelta, queue: str = "bulk", lease: timedelta = DEFAULT_LEASE
) -> Callable[[Callable[[JobContext], None]], Callable[[JobContext], None]]:
    """Register ``work(ctx)`` to run once every ``every`` (at most; never twice for one period,
    however many schedulers run by mistake). Missed periods are not caught up: periodic work
    should look at what is due since it last ran, not assume it ran on time."""
    _check_queue(queue)
    if every < timedelta(minutes=1):
        raise ValueError(f"periodic {name!r}: the scheduler ticks once a minute; every must be ≥ 1 min")

    def register(work: Callable[[JobContext], None]) -> Callable[[JobContext], None]:
        spec = PeriodicSpec(name, every, queue)
        _periodic[name] = spec
        _jobs[spec.kind] = JobSpec(spec.kind, queue, lambda ctx, _payload: work(ctx), lease, 3)
        return work

    return register


def load() -> None:
    """Import every module in ``JOB_MODULES`` (once per process)."""
    global _loaded
    if _loaded:
        return
    with _lock:
        if not _loaded:
            for name in JOB_MODULES:
                import_module(name)
            _loaded = True


def spec(kind: str) -> JobSpec:
    load()
    found = _jobs.get(kind)
    if found is None:
        raise UnknownJob(f"no job kind {kind!r} (known: {', '.join(sorted(_jobs))})")
    return found


def periodics() -> list[PeriodicSpec]:
    load()
    return sorted(_periodic.values(), key=lambda p: p.name)


def kinds() -> list[str]:
    load()
    return sorted(_jobs)
