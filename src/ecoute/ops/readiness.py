"""Is this installation ready to serve? The database answers, its schema is at the latest
migration, and the queue store answers. ``/readyz`` and ``ecoute status`` share these checks."""

from __future__ import annotations

from dataclasses import dataclass

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ecoute.jobs.queues import QueueConfigError, QueueTarget, queues_for
from ecoute.settings import Settings
from ecoute.store.db import Database, alembic_config


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str

    def as_json(self) -> dict[str, object]:
        return {"ok": self.ok, "detail": self.detail}


def check_database(db: Database) -> Check:
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        return Check("database", False, f"unreachable: {type(error).__name__}")
    return Check("database", True, db.dialect)


def check_migrations(db: Database) -> Check:
    heads = set(ScriptDirectory.from_config(alembic_config(db.engine)).get_heads())
    try:
        with db.engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
    except SQLAlchemyError as error:
        return Check("migrations", False, f"unreadable: {type(error).__name__}")
    if current != heads:
        found = ", ".join(sorted(current)) or "none"
        return Check(
            "migrations",
            False,
            f"at {found}, latest is {', '.join(sorted(heads))}: any `ecoute` command migrates",
        )
    return Check("migrations", True, ", ".join(sorted(heads)))


def check_queue(settings: Settings) -> Check:
    try:
        target = QueueTarget.of(settings)
    except QueueConfigError as error:
        return Check("queue", False, str(error))
    if target.kind == "immediate":
        return Check("queue", True, target.describe())
    if queues_for(settings).pending("interactive") is None:
        return Check("queue", False, f"unreachable: {target.describe()}")
    return Check("queue", True, target.describe())


def readiness(db: Database, settings: Settings) -> list[Check]:
    database = check_database(db)
    if not database.ok:
        return [database, Check("migrations", False, "database unreachable"), check_queue(settings)]
    return [database, check_migrations(db), check_queue(settings)]
