"""``ecoute backup`` / ``ecoute restore`` for the embedded SQLite database, through SQLite's online
backup API: a consistent copy while the app keeps running, written 0600. PostgreSQL is backed up
with its own tools (``pg_dump`` / ``pg_restore``, see docs/deploy.md)."""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import make_url

PG_HELP = (
    "this database is PostgreSQL: back it up with pg_dump -Fc -f ecoute.dump DBNAME and restore it "
    "with pg_restore --clean -d DBNAME ecoute.dump (see docs/deploy.md, Backups)"
)


class BackupError(RuntimeError):
    """A backup or restore that cannot be done; the message says why and what to do instead."""


@dataclass(frozen=True)
class Copied:
    path: Path
    pages: int
    bytes: int


def sqlite_path(database_url: str) -> Path:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        raise BackupError(PG_HELP)
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory database cannot be backed up")
    return Path(url.database)


def backup(database_url: str, destination: Path, *, overwrite: bool = False) -> Copied:
    """Copy the live database to ``destination`` (refused if it exists, unless ``overwrite``)."""
    source = sqlite_path(database_url)
    if destination.exists() and not overwrite:
        raise BackupError(f"{destination} already exists (use --force to replace it)")
    partial = destination.with_name(destination.name + ".partial")
    partial.unlink(missing_ok=True)
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    with _connect(source) as live, _connect(partial) as copy:
        live.backup(copy)
        pages = copy.execute("PRAGMA page_count").fetchone()[0]
    partial.replace(destination)  # a crash never leaves a half-written file under the real name
    return Copied(destination, pages, destination.stat().st_size)


def restore(database_url: str, backup_file: Path) -> Copied:
    """Replace the live database's content with ``backup_file`` (an Écoute SQLite backup)."""
    target = sqlite_path(database_url)
    if not backup_file.is_file():
        raise BackupError(f"{backup_file}: no such file")
    with _connect(backup_file) as saved:
        try:
            tables = {row[0] for row in saved.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        except sqlite3.DatabaseError as error:
            raise BackupError(f"{backup_file} is not an SQLite database ({error})") from None
        if not {"alembic_version", "workspaces", "mentions"} <= tables:
            raise BackupError(f"{backup_file} is not an Écoute backup (its tables are not Écoute's)")
        with _connect(target) as live:
            saved.backup(live)
            pages = live.execute("PRAGMA page_count").fetchone()[0]
    return Copied(target, pages, backup_file.stat().st_size)


def _connect(path: Path) -> closing[sqlite3.Connection]:
    return closing(sqlite3.connect(path))
