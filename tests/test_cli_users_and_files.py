"""``ecoute user …`` takes passwords from a prompt or standard input (never needs them in argv),
and what the commands create in the data folder is for the user's eyes only."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from ecoute.auth import users
from ecoute.store.db import Database


def _run(args: list[str], env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ecoute", *args],
        env={**os.environ, **env},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _env(db_url: str, tmp_path: Path) -> dict[str, str]:
    return {"ECOUTE_DATABASE_URL": db_url, "ECOUTE_DATA_DIR": str(tmp_path / "data")}


def _can_log_in(db_url: str, email: str, password: str) -> bool:
    db = Database.open(db_url, run_migrations=False)
    with db.session() as session:
        ok = users.authenticate(session, email, password) is not None
    db.dispose()
    return ok


def test_user_create_and_password_read_the_password_from_standard_input(db_url, tmp_path):
    env = _env(db_url, tmp_path)

    created = _run(["user", "create", "lea@example.org", "--password-stdin"], env, "first secret 1\n")
    changed = _run(["user", "password", "lea@example.org", "--password-stdin"], env, "second secret 2\n")

    assert created.returncode == 0, created.stderr
    assert changed.returncode == 0, changed.stderr
    assert "sessions are closed" in changed.stdout
    assert _can_log_in(db_url, "lea@example.org", "second secret 2")
    assert not _can_log_in(db_url, "lea@example.org", "first secret 1")


def test_a_password_given_twice_or_an_empty_standard_input_is_a_clear_error(db_url, tmp_path):
    env = _env(db_url, tmp_path)

    both = _run(["user", "create", "a@example.org", "--password", "x" * 10, "--password-stdin"], env, "y\n")
    empty = _run(["user", "create", "b@example.org", "--password-stdin"], env, "")

    assert both.returncode == 2
    assert "--password or --password-stdin, not both" in both.stderr
    assert empty.returncode == 2
    assert "standard input is empty" in empty.stderr


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_data_folder_is_0700_and_the_database_and_its_wal_0600(tmp_path):
    data = tmp_path / "data"
    env = {"ECOUTE_DATA_DIR": str(data)}

    result = _run(["workspace", "create", "acme"], env)

    assert result.returncode == 0, result.stderr
    assert _mode(data) == 0o700
    assert _mode(data / "ecoute.db") == 0o600
    for extra in ("ecoute.db-wal", "ecoute.db-shm"):
        if (data / extra).exists():
            assert _mode(data / extra) == 0o600


def test_an_existing_world_readable_database_is_tightened_when_opened(tmp_path):
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    _run(["workspace", "create", "acme"], {"ECOUTE_DATA_DIR": str(data)})
    (data / "ecoute.db").chmod(0o644)
    data.chmod(0o755)

    _run(["workspace", "list"], {"ECOUTE_DATA_DIR": str(data)})

    assert _mode(data) == 0o700
    assert _mode(data / "ecoute.db") == 0o600
