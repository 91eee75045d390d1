"""Engine and session factory: SQLite in WAL mode by default, PostgreSQL by URL; migrations on open."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.orm import Session, sessionmaker

from ecoute.settings import private
from ecoute.store.write_turns import TurnConnection, turn_for

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # NORMAL is durable across application crashes in WAL mode (only an OS crash can lose
    # the last transactions), which is what "nothing acknowledged is lost" needs here.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _private_sqlite_files(url: str) -> None:
    """The database file is created 0600 before SQLite opens it (its WAL and shared-memory files
    then take the same mode), and an existing one is tightened: it holds what customers wrote."""
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    if not path.exists() and path.parent.is_dir():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    for suffix in ("", "-wal", "-shm"):
        private(Path(f"{path}{suffix}"), 0o600)


def make_engine(url: str, pool_size: int = 10) -> Engine:
    """``pool_size`` connections kept, as many more opened when busy: a web process serves up to
    40 requests at once (its thread pool), and a request waiting for a connection waits for nothing."""
    pool = {"pool_size": pool_size, "max_overflow": pool_size}
    if url.startswith("sqlite"):
        if not make_url(url).database or ":memory:" in url:
            pool = {}  # one in-memory database per connection: SQLAlchemy's own pool for it
        _private_sqlite_files(url)
        database = make_url(url).database
        if pool and database and not database.startswith("file:"):
            # Writers take turns instead of sleeping in SQLite's busy handler (write_turns.py).
            turn = turn_for(database)
            engine = create_engine(url, connect_args={"factory": TurnConnection}, **pool)

            @event.listens_for(engine, "connect")
            def _with_turn(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
                dbapi_connection.turn = turn
        else:
            engine = create_engine(url, **pool)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, **pool)


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine) -> None:
    """Bring the schema to the latest revision (idempotent)."""
    command.upgrade(alembic_config(engine), "head")


class Database:
    """One engine + session factory; ``Database.open(url)`` migrates before first use."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def open(cls, url: str, *, run_migrations: bool = True, pool_size: int = 10) -> Database:
        engine = make_engine(url, pool_size)
        if run_migrations:
            migrate(engine)
        return cls(engine)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session whose transaction commits on success and rolls back on error."""
        with self.sessions() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
