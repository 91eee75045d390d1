"""Writers of one SQLite database take turns, across threads and processes, without sleeping.

SQLite lets one connection write at a time. A writer that finds the lock taken waits in SQLite's
busy handler, which *sleeps* (1, 2, 5, 10 … then 100 ms at a time) and tries again, instead of
being woken when the lock is free. With several writers at once — the web processes recording
webhook jobs, a worker storing items, the scheduler — the sleeps add up into convoys: a
webhook's acknowledgement waited seconds behind a worker's short transactions while both
processes had CPU to spare.

Here every write transaction on a file database first takes the database's *write turn*: a lock
per process (threads queue on it and are woken at once) and an exclusive ``flock`` on a file
beside the database (``<database>-turn``), held from the transaction's first write statement to
its commit or rollback. Reads take nothing: in WAL mode they never wait for a writer. The kernel
drops a ``flock`` when its process dies, so a ``kill -9`` cannot leave the turn taken.

The turn is taken where Python's ``sqlite3`` itself begins a transaction (the statement that
writes), so it covers exactly SQLite's own write lock. A thread that already holds the turn (a
write nested in another session's transaction) goes on with SQLite's own locking, as before.
Taking it gives up after ``TIMEOUT_S`` with SQLite's own error, "database is locked".
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # pragma: no cover - not on this platform: threads still take turns
    fcntl = None  # type: ignore[assignment]

TIMEOUT_S = 30.0  # SQLite's busy_timeout in ecoute.store.db
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def writes(statement: str) -> bool:
    """Whether a statement writes: it starts with a writing keyword, or is a ``WITH … INSERT``
    (or UPDATE/DELETE) as the bulk loaders write them."""
    head = statement.lstrip()[:7].upper()
    if head.startswith(_WRITES):
        return True
    if head.startswith("WITH"):
        upper = statement.upper()
        return any(f"{word} " in upper for word in _WRITES)
    return False


class WriteTurn:
    """The write turn of one database file, in this process."""

    def __init__(self, path: Path):
        self.path = Path(f"{path}-turn")
        self._threads = threading.Lock()
        self._holder: int | None = None  # the thread that holds the turn
        self._depth = 0  # connections of that thread holding it
        self._fd: int | None = None
        self._pid = 0

    def _file(self) -> int | None:
        if fcntl is None:
            return None
        if self._fd is None or self._pid != os.getpid():  # a forked child opens its own
            try:
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            except OSError:  # a read-only folder: SQLite's own locking alone, as before
                self._fd = None
            self._pid = os.getpid()
        return self._fd

    def take(self) -> None:
        me = threading.get_ident()
        if self._holder == me:
            self._depth += 1
            return
        if not self._threads.acquire(timeout=TIMEOUT_S):
            raise sqlite3.OperationalError("database is locked")
        try:
            fd = self._file()
            if fd is not None:
                self._flock(fd)
        except BaseException:
            self._threads.release()
            raise
        self._holder, self._depth = me, 1

    @staticmethod
    def _flock(fd: int) -> None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        # Another process writes: wait for it in short steps (its transactions take milliseconds),
        # never longer than SQLite itself would have.
        deadline = time.monotonic() + TIMEOUT_S
        pause = 0.0002
        while True:
            time.sleep(pause)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise sqlite3.OperationalError("database is locked") from None
                pause = min(pause * 2, 0.002)

    def give(self) -> None:
        self._depth -= 1
        if self._depth > 0:
            return
        self._holder = None
        try:
            if self._fd is not None and self._pid == os.getpid():
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._threads.release()


_turns: dict[str, WriteTurn] = {}
_turns_lock = threading.Lock()


def turn_for(database: str) -> WriteTurn:
    key = str(Path(database).resolve())
    with _turns_lock:
        found = _turns.get(key)
        if found is None:
            found = _turns[key] = WriteTurn(Path(key))
        return found


class TurnCursor(sqlite3.Cursor):
    def execute(self, sql: str, parameters: Any = (), /) -> TurnCursor:
        return self._run(super().execute, sql, parameters)

    def executemany(self, sql: str, parameters: Any, /) -> TurnCursor:
        return self._run(super().executemany, sql, parameters)

    def _run(self, method: Any, sql: str, parameters: Any) -> TurnCursor:
        connection: TurnConnection = self.connection  # type: ignore[assignment]
        connection.before(sql)
        try:
            return method(sql, parameters)
        finally:
            connection.after()


class TurnConnection(sqlite3.Connection):
    """A ``sqlite3`` connection that takes its database's write turn before its transaction's
    first write and gives it back when the transaction ends."""

    turn: WriteTurn | None = None
    holding = False

    def cursor(self, factory: Any = None) -> Any:  # type: ignore[override]
        return super().cursor(factory or TurnCursor)

    def execute(self, sql: str, parameters: Any = (), /) -> Any:  # type: ignore[override]
        return self.cursor().execute(sql, parameters)

    def executemany(self, sql: str, parameters: Any, /) -> Any:  # type: ignore[override]
        return self.cursor().executemany(sql, parameters)

    def before(self, sql: str) -> None:
        if self.turn is not None and not self.holding and writes(sql):
            self.turn.take()
            self.holding = True

    def after(self) -> None:
        if self.holding and not self.in_transaction:  # a statement outside any transaction
            self._give()

    def _give(self) -> None:
        if self.holding:
            self.holding = False
            self.turn.give()  # type: ignore[union-attr]

    def commit(self) -> None:
        self._ending(super().commit)

    def rollback(self) -> None:
        self._ending(super().rollback)

    def _ending(self, end: Any) -> None:
        try:
            end()
        finally:
            if not self.in_transaction:
                self._give()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._give()
