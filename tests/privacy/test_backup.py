"""``ecoute backup`` and ``ecoute restore`` on SQLite: a copy taken while the app runs, restored
over later changes, with the counts of every table as they were; PostgreSQL says to use pg_dump."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import func, select

import inbox_factories
from ecoute.privacy import backup as backups
from ecoute.store import repo
from ecoute.store.db import Database
from ecoute.store.models import Base


def _counts(db: Database) -> dict[str, int]:
    with db.session() as session:
        return {
            t.name: session.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables
        }


def _ecoute(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ecoute", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_a_backup_restored_over_later_changes_gives_back_the_same_counts(tmp_path):
    db_url = f"sqlite:///{tmp_path / 'live.db'}"
    db = Database.open(db_url)
    with db.session() as session:
        workspace = repo.create_workspace(session, "acme", "Acme")
    for n in range(3):
        inbox_factories.conversation(db, workspace, replies=["et alors ?"] * n)
    saved = _counts(db)
    env = {"ECOUTE_DATABASE_URL": db_url, "ECOUTE_DATA_DIR": str(tmp_path / "data")}
    target = tmp_path / "backups" / "ecoute-backup.db"
    target.parent.mkdir()

    made = _ecoute(["backup", str(target)], env)
    inbox_factories.conversation(db, workspace)
    inbox_factories.user(db, workspace)
    changed = _counts(db)
    restored = _ecoute(["restore", str(target), "--yes"], env)

    assert made.returncode == 0, made.stderr
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert restored.returncode == 0, restored.stderr
    assert changed != saved
    assert _counts(db) == saved
    assert saved["mentions"] == 6
    db.dispose()


def test_backing_up_postgresql_says_to_use_pg_dump(tmp_path):
    with pytest.raises(backups.BackupError, match="pg_dump -Fc"):
        backups.backup("postgresql+psycopg://postgres@127.0.0.1/x", tmp_path / "b.db")


def test_a_backup_never_overwrites_and_a_restore_refuses_what_is_not_an_ecoute_backup(tmp_path):
    url = f"sqlite:///{tmp_path / 'live.db'}"
    Database.open(url).dispose()
    existing = tmp_path / "taken.db"
    existing.write_text("keep me")
    stranger = tmp_path / "other.db"
    with closing(sqlite3.connect(stranger)) as connection:
        connection.execute("CREATE TABLE notes (x)")

    with pytest.raises(backups.BackupError, match="already exists"):
        backups.backup(url, existing)
    with pytest.raises(backups.BackupError, match="not an Écoute backup"):
        backups.restore(url, stranger)
    with pytest.raises(backups.BackupError, match="is not an SQLite database"):
        backups.restore(url, existing)
    assert existing.read_text() == "keep me"
    assert Path(tmp_path / "taken.db.partial").exists() is False
