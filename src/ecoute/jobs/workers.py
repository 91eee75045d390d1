"""Workers: Huey consumers for the chosen queues, running in this process's threads — inside
``ecoute serve`` on one machine (embedded), or in ``ecoute worker`` processes on any number of
machines. Each queue has its own threads, so one busy queue never starves another.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

from huey.consumer import Consumer

from ecoute.jobs import registry
from ecoute.jobs.queues import SCHEDULER, QueueTarget, queues_for
from ecoute.jobs.runner import run_job
from ecoute.jobs.scheduler import tick
from ecoute.settings import Settings
from ecoute.store.db import Database

logger = logging.getLogger(__name__)

# Threads per queue by default: replies and notices at once, deliveries and polls wait on the
# network (a source that hangs or asks to wait holds one poll thread, not the others), and ingest
# (analysis) is CPU-bound — add processes (``ecoute worker --queues ingest``) for more.
DEFAULT_CONCURRENCY: dict[str, int] = {"interactive": 2, "delivery": 4, "poll": 4, "ingest": 1, "bulk": 1}
# How long an idle worker waits before looking at its queue again, at the most (seconds). Redis
# and PostgreSQL wake workers up as soon as a message arrives; the SQLite queue is polled.
MAX_IDLE_WAIT: dict[str, float] = {
    "interactive": 0.25,
    "delivery": 1.0,
    "poll": 1.0,
    "ingest": 1.0,
    "bulk": 2.0,
}


class _HostedConsumer(Consumer):
    """A Huey consumer that leaves signals to the process hosting it (uvicorn, ``ecoute worker``)."""

    def _set_signal_handlers(self) -> None:
        return None


@dataclass(frozen=True)
class WorkerPlan:
    queues: tuple[str, ...] = registry.QUEUES
    concurrency: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_CONCURRENCY))
    scheduler: bool = True

    @classmethod
    def parse(cls, queues: str | None, concurrency: int | None, scheduler: bool) -> WorkerPlan:
        chosen = tuple(q.strip() for q in (queues or ",".join(registry.QUEUES)).split(",") if q.strip())
        unknown = [q for q in chosen if q not in registry.QUEUES]
        if unknown:
            raise ValueError(f"unknown queue(s) {', '.join(unknown)}: use {', '.join(registry.QUEUES)}")
        if concurrency is not None and concurrency < 1:
            raise ValueError("--concurrency must be at least 1")
        counts = {q: concurrency or DEFAULT_CONCURRENCY[q] for q in chosen}
        return cls(chosen, counts, scheduler)


class Workers:
    """Start and stop this process's consumers."""

    def __init__(self, db: Database, settings: Settings, plan: WorkerPlan):
        target = QueueTarget.of(settings)
        if target.kind == "immediate":
            raise ValueError(
                "ECOUTE_QUEUE_URL=immediate runs jobs where they are deferred: no worker to start"
            )
        self.db, self.settings, self.plan, self.target = db, settings, plan, target
        self.consumers: list[Consumer] = []
        self._stopped = threading.Event()

    def start(self) -> None:
        from ecoute.live import signals  # noqa: F401 - jobs' changes reach the pages live
        from ecoute.ops.metrics import watch_jobs  # imported late: see ecoute.ops.multiproc

        registry.load()
        watch_jobs()
        queues = queues_for(self.settings)
        queues.run_job = lambda job_id: run_job(self.db, self.settings, job_id)
        queues.tick = lambda: tick(self.db, self.settings)
        for name in self.plan.queues:
            self._start(queues.huey(name), self.plan.concurrency[name], MAX_IDLE_WAIT[name], periodic=False)
        if self.plan.scheduler:
            self._start(queues.huey(SCHEDULER), 1, 1.0, periodic=True)
            # Tick now rather than at the next whole minute: due work starts with the process.
            threading.Thread(target=queues.tick, name="ecoute-first-tick", daemon=True).start()
        logger.info(
            "workers.started",
            extra={
                "queues": list(self.plan.queues),
                "scheduler": self.plan.scheduler,
                "store": self.target.kind,
            },
        )

    def _start(self, huey: object, workers: int, max_delay: float, *, periodic: bool) -> None:
        consumer = _HostedConsumer(
            huey,
            workers=workers,
            periodic=periodic,
            worker_type="thread",
            initial_delay=0.05,
            backoff=1.5,
            max_delay=max_delay,
            check_worker_health=True,
        )
        consumer.start()
        self.consumers.append(consumer)

    def check_health(self) -> None:
        """Restart any worker thread that died (the hosting process calls this now and then)."""
        for consumer in self.consumers:
            consumer.check_worker_health()

    def stop(self, *, graceful: bool = True) -> None:
        """Stop taking new jobs; with ``graceful``, wait for the jobs in hand to finish. A job cut
        short is not lost: its lease runs out and the sweep gives it to another worker."""
        if self._stopped.is_set():
            return
        self._stopped.set()
        for consumer in self.consumers:
            consumer.stop_flag.set()
        for consumer in self.consumers:
            consumer.stop(graceful=graceful)
        logger.info("workers.stopped", extra={"graceful": graceful})

    def describe(self) -> Sequence[str]:
        lines = [f"queue store: {self.target.describe()}"]
        lines += [f"{q}: {self.plan.concurrency[q]} thread(s)" for q in self.plan.queues]
        lines.append("scheduler: " + ("here" if self.plan.scheduler else "elsewhere"))
        return lines
