"""Shared fixtures: a real database per test (SQLite always, PostgreSQL when configured)."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from ecoute.store import repo
from ecoute.store.db import Database, make_engine, migrate
from ecoute.store.models import Base, Workspace

POSTGRES_URL = os.environ.get("ECOUTE_TEST_POSTGRES_URL", "")
REDIS_URL = os.environ.get("ECOUTE_TEST_REDIS_URL", "")
SKIP_POSTGRES = "ECOUTE_TEST_POSTGRES_URL is not set (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)"


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes the developer's own data folder or database."""
    monkeypatch.setenv("ECOUTE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("ECOUTE_DATABASE_URL", raising=False)
    # Background jobs run in the test's own process right after the commit that defers them;
    # the engine's own tests (tests/jobs/) use a real queue and real worker processes.
    monkeypatch.setenv("ECOUTE_QUEUE_URL", "immediate")


@pytest.fixture
def jobs_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    """Deferred jobs go to the default queue (an SQLite file in the test's data folder) where no
    worker takes them: for tests that run the work themselves, step by step."""
    monkeypatch.delenv("ECOUTE_QUEUE_URL", raising=False)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (migrating once keeps the suite fast)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_schema_url() -> Iterator[str]:
    """A private schema in the test database, migrated once; dropped at the end of the session."""
    if not POSTGRES_URL:
        pytest.skip(SKIP_POSTGRES)
    schema = f"ecoute_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in POSTGRES_URL else "?"
    url = f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
    engine = make_engine(url)
    migrate(engine)
    engine.dispose()
    yield url
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def _truncate_postgres(url: str) -> None:
    engine = create_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty, migrated database of each kind."""
    if request.param == "sqlite":
        path = tmp_path / "ecoute.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_schema_url")
    _truncate_postgres(url)
    return url


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database.open(db_url, run_migrations=False)
    yield database
    database.dispose()


@pytest.fixture
def workspace(db: Database) -> Workspace:
    with db.session() as session:
        return repo.create_workspace(session, "acme", "Acme", locale="fr", timezone="Europe/Paris")


@pytest.fixture
def other_workspace(db: Database) -> Workspace:
    with db.session() as session:
        return repo.create_workspace(session, "globex", "Globex", locale="en", timezone="UTC")
