"""The ``ecoute`` command in a real subprocess, against a test database and data folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def ecoute(args: list[str], db_url: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "ECOUTE_DATABASE_URL": db_url,
        "ECOUTE_DATA_DIR": str(tmp_path / "data"),
        "COLUMNS": "200",
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "ecoute", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
