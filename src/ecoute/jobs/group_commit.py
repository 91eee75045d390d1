"""Group commit: many threads' small writes (a webhook's job, each one a request waiting for its
acknowledgement) committed together by one writer thread, each caller waiting for the commit
that holds its write.

Why: at a few hundred requests a second, one transaction per request means as many commits and,
on SQLite, that many threads taking turns at the one write lock (each waiting in SQLite's busy
handler, which sleeps). One writer taking whatever has queued up while it was committing writes
them all in one transaction: the commits per second fall to a few dozen whatever the rate, and
nobody waits on the lock. Nothing is acknowledged early: ``run_batched`` returns only once the
transaction holding the caller's write has committed, so a ``kill -9`` loses only writes that
were never acknowledged.

If a write fails, the batch is rolled back and its writes are run again one transaction each,
so that only the failing caller gets its error. If a commit fails, its callers get the error
(and answer that nothing was recorded).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from ecoute.jobs.ledger import KICKS, Kick
from ecoute.store.db import Database

logger = logging.getLogger(__name__)
T = TypeVar("T")
MAX_BATCH = 500  # writes per transaction, at most (a burst larger than this takes several)
IDLE_S = 5.0  # the writer thread stops after this long without work (the next write starts one)
WAIT_S = 30.0  # a caller gives up waiting after this (its write may still commit: it is then a duplicate)

Write = Callable[[Session], Any]
_STOP: list[Kick] = []  # told to the doorbell thread when its writer stops


class GroupCommitter:
    """One writer thread for one database, fed by ``run_batched``; it stops when idle."""

    def __init__(self, db: Database, *, max_batch: int = MAX_BATCH):
        self.db = db
        self.max_batch = max_batch
        self.pending: queue.SimpleQueue[tuple[Write, Future[Any]]] = queue.SimpleQueue()
        self.doorbell: queue.SimpleQueue[list[Kick]] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._loop, name="ecoute-group-commit", daemon=True)
        self._thread.start()
        self._ringer = threading.Thread(target=self._ring_loop, name="ecoute-group-doorbell", daemon=True)
        self._ringer.start()

    def _ring_loop(self) -> None:
        while True:
            kicks = self.doorbell.get()
            if kicks is _STOP:
                return
            while True:  # all the rings waiting, together
                try:
                    more = self.doorbell.get_nowait()
                except queue.Empty:
                    break
                if more is _STOP:
                    _ring(kicks, self.db.engine)
                    return
                kicks = kicks + more
            _ring(kicks, self.db.engine)

    def _loop(self) -> None:
        while True:
            try:
                batch = [self.pending.get(timeout=IDLE_S)]
            except queue.Empty:
                with _lock:  # callers put under this lock: none can slip in after the check
                    if self.pending.empty():
                        if _committers.get(self.db.engine) is self:
                            del _committers[self.db.engine]
                        self.doorbell.put(_STOP)
                        return
                continue
            while len(batch) < self.max_batch:
                try:
                    batch.append(self.pending.get_nowait())
                except queue.Empty:
                    break
            try:
                self._commit(batch)
            except Exception as error:  # noqa: BLE001 - the writer must outlive any batch
                logger.exception("group_commit.failed", extra={"writes": len(batch)})
                for _write, done in batch:
                    if not done.done():
                        done.set_exception(error)

    def _commit(self, batch: list[tuple[Write, Future[Any]]]) -> None:
        try:
            results, kicks = self._transaction([write for write, _done in batch])
        except Exception:  # noqa: BLE001 - one write failed: each alone, so only its caller hears
            if len(batch) == 1:
                raise
            for write, done in batch:
                try:
                    results, kicks = self._transaction([write])
                except Exception as error:  # noqa: BLE001 - this caller's error
                    done.set_exception(error)
                else:
                    self._answer([done], results, kicks)
            return
        self._answer([done for _write, done in batch], results, kicks)

    def _transaction(self, writes: list[Write]) -> tuple[list[Any], list[Kick]]:
        with self.db.session() as session:
            results = [write(session) for write in writes]
            # Taken out so that the doorbell rings after the answers, not inside the commit.
            kicks: list[Kick] = session.info.pop(KICKS, [])
        return results, kicks

    def _answer(self, waiting: list[Future[Any]], results: list[Any], kicks: list[Kick]) -> None:
        ring_first = _runs_jobs_here()
        if ring_first:  # jobs run where they are deferred (tests): run them before answering
            _ring(kicks, self.db.engine)
        for done, value in zip(waiting, results, strict=True):
            done.set_result(value)
        if not ring_first and kicks:
            # The doorbell rings in a thread of its own, after the answers: the ledger already
            # holds the jobs, and putting them on the queue (one queue commit each) would
            # otherwise keep this writer from the next batch. A ring lost in a crash only delays
            # its jobs: the sweep puts them back on the queue.
            self.doorbell.put(kicks)


def run_batched(db: Database, write: Callable[[Session], T], *, timeout: float = WAIT_S) -> T:
    """Run ``write(session)`` in the next batch's transaction on ``db``; return its result once
    that transaction has committed (or raise its error, or the commit's)."""
    done: Future[Any] = Future()
    with _lock:
        found = _committers.get(db.engine)
        if found is None:
            found = _committers[db.engine] = GroupCommitter(db)
        found.pending.put((write, done))
    return done.result(timeout=timeout)


def _runs_jobs_here() -> bool:
    from ecoute.jobs.queues import QueueTarget
    from ecoute.settings import Settings

    return QueueTarget.of(Settings()).kind == "immediate"


def _ring(kicks: list[Kick], engine: Engine) -> None:
    if not kicks:
        return
    from ecoute.jobs.kicks import dispatch

    try:
        dispatch(kicks, engine)
    except Exception:  # noqa: BLE001 - a lost doorbell only delays its jobs: the sweep re-queues them
        logger.exception("group_commit.kick_failed", extra={"jobs": len(kicks)})


_committers: dict[Engine, GroupCommitter] = {}
_lock = threading.Lock()
