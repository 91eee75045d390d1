"""The task queue itself: one Huey instance per queue, on the store ``ECOUTE_QUEUE_URL`` names.

- empty (the default): an SQLite file next to the data, ``DATA_DIR/queue.db`` — one machine, no
  other server (kept out of the data database so queue traffic never waits on its write lock);
- ``redis://…``: Redis, for workers on several machines;
- ``postgresql://…``: Huey's PostgreSQL storage (``FOR UPDATE SKIP LOCKED`` + LISTEN/NOTIFY);
- ``immediate``: no queue at all — a job runs in the process that deferred it, right after the
  commit (tests, and one-shot commands that must finish their work before they exit).

A message carries only a job id: the ledger (``ecoute.jobs.models.Job``) is the truth, so a lost
or doubled message delays a job or costs one refused claim, never loses or doubles work.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from huey import Huey
from huey.api import TaskWrapper
from huey.storage import PostgresStorage, PriorityRedisStorage, SqliteStorage

from ecoute.jobs.ledger import Kick
from ecoute.jobs.registry import QUEUES
from ecoute.settings import Settings

logger = logging.getLogger(__name__)
RUN_TASK = "ecoute.run_job"
TICK_TASK = "ecoute.tick"
SCHEDULER = "scheduler"  # the Huey instance whose one consumer ticks (periodic work, sweep)

# Set by the process's workers: what a queue message runs with (database, settings).
RunJob = Callable[[int], None]
Tick = Callable[[], None]


class QueueConfigError(ValueError):
    pass


class DoorbellSqliteStorage(SqliteStorage):
    """Huey's SQLite storage, committing without waiting for the disk (``synchronous=NORMAL``).

    Huey's default in WAL mode (FULL) syncs the file at every message: 2–3 ms a job, which made
    the queue's commit the larger half of a webhook's acknowledgement. NORMAL in WAL mode keeps
    every commit across a crash of the process (``kill -9``) and never corrupts the file; only a
    power loss or an OS crash may drop the last messages, which the ledger's sweep puts back (a
    message is a doorbell, the job is in the data database)."""

    def _create_connection(self):  # type: ignore[no-untyped-def]
        conn = super()._create_connection()
        conn.execute("pragma synchronous=NORMAL")
        return conn


def store_kind(url: str) -> str | None:
    """What kind of store a URL names: ``redis``, ``postgresql``, ``sqlite``, or None."""
    if url.startswith(("redis://", "rediss://", "unix://")):
        return "redis"
    if url.startswith(("postgresql://", "postgres://", "postgresql+psycopg://")):
        return "postgresql"
    if url.startswith("sqlite:///"):
        return "sqlite"
    return None


@dataclass(frozen=True)
class QueueTarget:
    """Where the queue lives, read from the settings."""

    kind: str  # sqlite, redis, postgresql, immediate
    url: str
    prefix: str

    @classmethod
    def of(cls, settings: Settings) -> QueueTarget:
        url = settings.raw("queue_url").strip()
        prefix = settings.raw("queue_prefix").strip() or "ecoute"
        if not url:
            return cls("sqlite", str(Path(settings.data_dir) / "queue.db"), prefix)
        if url == "immediate":
            return cls("immediate", "", prefix)
        kind = store_kind(url)
        if kind == "redis":
            return cls("redis", url, prefix)
        if kind == "postgresql":
            return cls("postgresql", url.replace("postgresql+psycopg://", "postgresql://", 1), prefix)
        if kind == "sqlite":
            return cls("sqlite", url.removeprefix("sqlite:///"), prefix)
        raise QueueConfigError(
            f"ECOUTE_QUEUE_URL={url!r}: use redis://…, postgresql://…, sqlite:///PATH or immediate "
            "(empty: an SQLite file in the data folder)"
        )

    def describe(self) -> str:
        if self.kind == "redis":
            return "Redis " + self.url.split("@")[-1]
        if self.kind == "postgresql":
            return "PostgreSQL " + self.url.split("@")[-1].split("?")[0]
        if self.kind == "sqlite":
            return f"SQLite {self.url}"
        return "immediate (in-process, no queue)"


class Queues:
    """The Huey instances of one queue store: ``huey(name)`` for each queue and the scheduler."""

    def __init__(self, target: QueueTarget):
        self.target = target
        self._hueys: dict[str, Huey] = {}
        self._runners: dict[str, TaskWrapper] = {}
        self._lock = threading.Lock()
        self.run_job: RunJob | None = None
        self.tick: Tick | None = None

    def huey(self, name: str) -> Huey:
        if self.target.kind == "immediate":
            raise QueueConfigError("the queue is 'immediate': there is no queue to consume")
        with self._lock:
            found = self._hueys.get(name)
            if found is None:
                found = self._hueys[name] = self._make(name)
            return found

    def _make(self, name: str) -> Huey:
        full = f"{self.target.prefix}.{name}"
        kwargs: dict[str, object]
        if self.target.kind == "sqlite":
            Path(self.target.url).parent.mkdir(parents=True, exist_ok=True)
            kwargs = {"storage_class": DoorbellSqliteStorage, "filename": self.target.url, "timeout": 30}
        elif self.target.kind == "redis":
            kwargs = {"storage_class": PriorityRedisStorage, "url": self.target.url}
        else:
            kwargs = {
                "storage_class": PostgresStorage,
                "dsn": self.target.url,
                "table_prefix": self.target.prefix.replace(".", "_").replace("-", "_") + "_queue",
            }
        huey = Huey(full, results=False, utc=True, **kwargs)  # type: ignore[arg-type]
        self._runners[name] = huey.task(name=RUN_TASK, retries=0)(self._run)
        if name == SCHEDULER:
            from huey import crontab

            huey.periodic_task(crontab(minute="*"), name=TICK_TASK)(self._tick)
        return huey

    def _run(self, job_id: int) -> None:
        if self.run_job is None:
            raise RuntimeError("a queue message arrived in a process with no workers configured")
        self.run_job(int(job_id))

    def _tick(self) -> None:
        if self.tick is not None:
            self.tick()

    def kick(self, kicks: Sequence[Kick], now: datetime) -> list[Kick]:
        """Put the jobs on their queues: due ones now, later ones as timed messages. Returns the
        kicks that failed (the queue's store unreachable): the sweep will bring those jobs back."""
        failed: list[Kick] = []
        for kick in kicks:
            try:
                self.huey(kick.queue)
                runner = self._runners[kick.queue]
                if kick.run_at > now:
                    runner.schedule(args=(kick.job_id,), eta=kick.run_at)
                else:
                    runner(kick.job_id)
            except Exception as error:  # noqa: BLE001 - a store that is down must not fail the commit it follows
                logger.warning("jobs.kick_failed", extra={"job_id": kick.job_id, "error": str(error)[:200]})
                failed.append(kick)
        return failed

    def pending(self, name: str) -> int | None:
        """Messages waiting in a queue's store (None: the store cannot be read now)."""
        try:
            return int(self.huey(name).pending_count())
        except Exception:  # noqa: BLE001 - a gauge must not take the caller down with the store
            return None

    def idle(self) -> frozenset[str]:
        """Queues whose store holds no message at all (so any due job of theirs lost its own)."""
        return frozenset(q for q in QUEUES if self.pending(q) == 0)


_cache: dict[QueueTarget, Queues] = {}
_cache_lock = threading.Lock()


def queues_for(settings: Settings) -> Queues:
    """The process's Queues for these settings' store (one set of Huey instances per store)."""
    target = QueueTarget.of(settings)
    with _cache_lock:
        found = _cache.get(target)
        if found is None:
            found = _cache[target] = Queues(target)
        return found
