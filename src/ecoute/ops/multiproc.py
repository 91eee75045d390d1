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
    """Point this process (and the processes it starts) at the shared folder. ``fresh``: empty it
    first (``ecoute serve`` starting, so counters of processes long gone are not added up).
    Returns None when it is too late (metrics already imported in this process)."""
    if ENV in os.environ:
        return Path(os.environ[ENV])
    if "prometheus_client" in sys.modules:
        return None
    folder = settings.data_dir / "prometheus"
    folder.mkdir(mode=0o700, exist_ok=True)
    if fresh:
        for stale in folder.glob("*.db"):
            stale.unlink(missing_ok=True)
    os.environ[ENV] = str(folder)
    return folder
