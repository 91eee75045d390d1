"""How live events travel between the processes of an installation (web processes, workers,
commands). One bus per process and target; web processes also listen, on one thread, and hand
what they hear to their ``Hub``.

Which one (``ECOUTE_EVENTS_URL``, or chosen from the other settings when empty):

- ``redis://…`` — Redis pub/sub; the default when the queue is Redis;
- ``postgresql://…`` — PostgreSQL's LISTEN/NOTIFY; the default when the database is PostgreSQL;
- ``sqlite:///PATH`` — a small SQLite file that every process on the machine appends to and the
  web processes read every half second; the default otherwise (SQLite has no notifications, and
  ``ecoute serve`` with several web processes, ``ecoute worker`` or ``ecoute ingest`` are other
  processes that must be heard);
- ``memory`` — within one process only (a single web process doing all the work, tests).

Publishing never fails the caller: the change is committed already, and a page that misses an
event catches up at its next one, or when its stream reconnects.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import make_url

from ecoute.jobs.queues import store_kind
from ecoute.live.events import Hub, LiveEvent
from ecoute.settings import Settings

logger = logging.getLogger(__name__)
READY_S = 5.0  # how long a first stream waits for its process to start hearing the bus
POLL_S = 0.5  # the SQLite bus: how often listeners look for new rows
KEEP_S = 120  # the SQLite bus: rows older than this are deleted by publishers


class LiveConfigError(ValueError):
    pass


@dataclass(frozen=True)
class BusTarget:
    kind: str  # redis, postgresql, sqlite, memory
    url: str
    channel: str

    @classmethod
    def of(cls, settings: Settings, database_url: str) -> BusTarget:
        prefix = settings.raw("queue_prefix").strip() or "ecoute"
        url = settings.raw("events_url").strip()
        if not url:
            queue = settings.raw("queue_url").strip()
            if store_kind(queue) == "redis":
                url = queue
            elif database_url.startswith("postgresql"):
                url = database_url
            else:
                url = f"sqlite:///{Path(settings.data_dir) / 'live.db'}"
        if url == "memory":
            return cls("memory", "", prefix)
        kind = store_kind(url)
        if kind == "redis":
            return cls("redis", url, f"{prefix}.live")
        if kind == "postgresql":
            libpq = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
            # NOTIFY reaches every session of the database: installations sharing one (in
            # different schemas) are told apart by a digest of their URL.
            digest = hashlib.sha1(libpq.encode()).hexdigest()[:10]
            return cls("postgresql", libpq, f"{_identifier(prefix)}_live_{digest}")
        if kind == "sqlite":
            return cls("sqlite", url.removeprefix("sqlite:///"), prefix)
        raise LiveConfigError(
            f"ECOUTE_EVENTS_URL={url!r}: use redis://…, postgresql://…, sqlite:///PATH or memory"
        )


def _identifier(text: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in text.lower())


class Bus(Protocol):
    def publish(self, events: Sequence[LiveEvent]) -> None: ...
    def listen(self) -> Hub: ...
    def close(self) -> None: ...


class _Listening:
    """A daemon thread that hears the bus and hands events to the hub, started once."""

    def __init__(self) -> None:
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self.hub = Hub()

    def listen(self) -> Hub:
        """Start hearing the bus (once) and wait, a few seconds at most, until it is heard: a page
        told "ready" then misses nothing. Returns the hub this process's streams subscribe to."""
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="ecoute-live", daemon=True)
                self._thread.start()
        self._ready.wait(READY_S)
        return self.hub

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.hear(self._stop)
            except Exception as error:  # noqa: BLE001 - the store went away: wait, then listen again
                logger.warning("live.listen_failed", extra={"error": str(error)[:200]})
                self._stop.wait(1.0)

    def hear(self, stop: threading.Event) -> None:
        raise NotImplementedError

    def heard(self, payload: str | bytes) -> None:
        try:
            event = LiveEvent.from_json(payload)
        except (ValueError, KeyError, TypeError):
            logger.warning("live.bad_event")
            return
        self.hub.deliver(event)

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)


class MemoryBus:
    def __init__(self) -> None:
        self.hub = Hub()

    def publish(self, events: Sequence[LiveEvent]) -> None:
        for event in events:
            self.hub.deliver(event)

    def listen(self) -> Hub:
        return self.hub

    def close(self) -> None:
        return None


class RedisBus(_Listening):
    def __init__(self, target: BusTarget):
        super().__init__()
        import redis

        self.target = target
        self.client: Any = redis.Redis.from_url(target.url, socket_timeout=5, socket_connect_timeout=5)

    def publish(self, events: Sequence[LiveEvent]) -> None:
        try:
            for event in events:
                self.client.publish(self.target.channel, event.to_json())
        except Exception as error:  # noqa: BLE001 - see the module's docstring
            logger.warning("live.publish_failed", extra={"bus": "redis", "error": str(error)[:200]})

    def hear(self, stop: threading.Event) -> None:
        pubsub = self.client.pubsub()
        pubsub.subscribe(self.target.channel)
        try:
            while not stop.is_set():
                message = pubsub.get_message(timeout=1.0)
                if message and message.get("type") == "subscribe":
                    self._ready.set()  # Redis confirmed: what is published from now on is heard
                elif message and message.get("type") == "message":
                    self.heard(message["data"])
        finally:
            pubsub.close()


class PostgresBus(_Listening):
    def __init__(self, target: BusTarget):
        super().__init__()
        self.target = target
        self._connection: Any = None
        self._publish_lock = threading.Lock()

    def publish(self, events: Sequence[LiveEvent]) -> None:
        try:
            with self._publish_lock:
                connection = self._publisher()
                for event in events:
                    connection.execute("SELECT pg_notify(%s, %s)", (self.target.channel, event.to_json()))
        except Exception as error:  # noqa: BLE001 - see the module's docstring
            logger.warning("live.publish_failed", extra={"bus": "postgresql", "error": str(error)[:200]})
            self._connection = None

    def _publisher(self) -> Any:
        import psycopg

        if self._connection is None or self._connection.closed:
            self._connection = psycopg.connect(self.target.url, autocommit=True, connect_timeout=5)
        return self._connection

    def hear(self, stop: threading.Event) -> None:
        import psycopg

        with psycopg.connect(self.target.url, autocommit=True, connect_timeout=5) as connection:
            connection.execute(f'LISTEN "{self.target.channel}"')
            self._ready.set()
            while not stop.is_set():
                for notice in connection.notifies(timeout=1.0):
                    self.heard(notice.payload)

    def close(self) -> None:
        super().close()
        if self._connection is not None:
            self._connection.close()


class SqliteBus(_Listening):
    """Rows appended to a file of their own (``DATA_DIR/live.db``), read by id order."""

    def __init__(self, target: BusTarget):
        super().__init__()
        self.path = Path(target.url)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as connection:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute(
                "CREATE TABLE IF NOT EXISTS live_events "
                "(id INTEGER PRIMARY KEY AUTOINCREMENT, at REAL, body TEXT)"
            )

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=10, isolation_level=None)

    def publish(self, events: Sequence[LiveEvent]) -> None:
        now = time.time()
        try:
            with self._connect() as connection:
                connection.executemany(
                    "INSERT INTO live_events (at, body) VALUES (?, ?)", [(now, e.to_json()) for e in events]
                )
                connection.execute("DELETE FROM live_events WHERE at < ?", (now - KEEP_S,))
        except sqlite3.Error as error:
            logger.warning("live.publish_failed", extra={"bus": "sqlite", "error": str(error)[:200]})

    def hear(self, stop: threading.Event) -> None:
        connection = self._connect()
        try:
            last = connection.execute("SELECT COALESCE(MAX(id), 0) FROM live_events").fetchone()[0]
            self._ready.set()
            while not stop.wait(POLL_S):
                rows = connection.execute(
                    "SELECT id, body FROM live_events WHERE id > ? ORDER BY id", (last,)
                ).fetchall()
                for row_id, body in rows:
                    last = row_id
                    self.heard(body)
        finally:
            connection.close()


_buses: dict[BusTarget, Bus] = {}
_lock = threading.Lock()


def bus_for(target: BusTarget) -> Bus:
    """This process's bus for ``target`` (made once)."""
    with _lock:
        found = _buses.get(target)
        if found is None:
            found = _buses[target] = _make(target)
        return found


def _make(target: BusTarget) -> Bus:
    if target.kind == "redis":
        return RedisBus(target)
    if target.kind == "postgresql":
        return PostgresBus(target)
    if target.kind == "sqlite":
        return SqliteBus(target)
    return MemoryBus()
