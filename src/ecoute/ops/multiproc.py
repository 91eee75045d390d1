"""Where the processes of one machine pool their Prometheus counters (``prometheus-client``'s
multiprocess mode): a folder under the data folder, named by ``PROMETHEUS_MULTIPROC_DIR``.

Kept apart from ``ecoute.ops.metrics`` on purpose: the variable must be set before
``prometheus_client`` is first imported, so this module never imports it."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from ecoute.settings import Settings

ENV = "PROMETHEUS_MULTIPROC_DIR"


def share_metrics(settings: Settings, *, fresh: bool) -> Path | None:
    """Point this process (and the processes it starts) at the shared folder. ``fresh``: first
    drop the files of processes no longer running (``ecoute serve`` starting: its counters start
    again from zero, which Prometheus reads as a restart), never those of a running worker.
    Returns None when it is too late (metrics already imported in this process)."""
    if ENV in os.environ:
        return Path(os.environ[ENV])
    if "prometheus_client" in sys.modules:
        return None
    folder = settings.data_dir / "prometheus"
    folder.mkdir(mode=0o700, exist_ok=True)
    if fresh:
        drop_stale(folder)
    os.environ[ENV] = str(folder)
    return folder


def drop_stale(folder: Path) -> list[Path]:
    """Delete the files of processes that no longer run; returns them."""
    dropped = [f for f in folder.glob("*.db") if not _running(f.stem.rpartition("_")[2])]
    for stale in dropped:
        stale.unlink(missing_ok=True)
    return dropped


def _running(pid: str) -> bool:
    """Whether the process that wrote a file (named ``kind_PID.db``) still runs on this machine."""
    if not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    return True
