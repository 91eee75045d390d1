"""Serving the web app: uvicorn, and — on one machine — the background workers and the scheduler
in the same process (``ECOUTE_WEB_WORKERS``), so that one command keeps the whole desk alive."""

from __future__ import annotations

import logging
from typing import Any

from ecoute.jobs.queues import QueueTarget
from ecoute.jobs.workers import WorkerPlan, Workers
from ecoute.settings import Settings
from ecoute.store.db import Database

logger = logging.getLogger(__name__)
HEALTHCHECK_TIMEOUT_S = 60
GRACEFUL_SHUTDOWN_S = 10


def embedded_workers(settings: Settings) -> bool:
    """Whether ``ecoute serve`` runs the workers itself: ``on``/``off``, or ``auto`` — on with the
    default SQLite queue (one machine), off with Redis or PostgreSQL (``ecoute worker`` elsewhere)."""
    choice = settings.raw("web_workers").strip().lower()
    if choice in ("on", "1", "true", "yes"):
        return True
    if choice in ("off", "0", "false", "no"):
        return False
    if choice != "auto":
        raise ValueError(f"ECOUTE_WEB_WORKERS={choice!r}: use on, off or auto")
    return QueueTarget.of(settings).kind == "sqlite"


def run_web(db: Database, settings: Settings, *, host: str, port: int, processes: int = 1) -> None:
    """Serve until Ctrl+C; the embedded workers (if any) finish their jobs in hand before exit.

    With ``processes`` > 1, uvicorn starts that many web processes (each builds its app with
    ``app_from_environment``); the embedded workers stay in this one process, so the scheduler
    still runs once. Forwarded headers are read by the app, from ``ECOUTE_TRUSTED_PROXIES`` only,
    not from whatever uvicorn trusts by default."""
    import uvicorn

    from ecoute.web.app import create_app, settle_memory

    # Open live streams (pages left open) must not hold a stop or restart for long.
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "log_level": "warning",
        "proxy_headers": False,
        "timeout_graceful_shutdown": GRACEFUL_SHUTDOWN_S,
    }
    app = create_app(db, settings) if processes <= 1 else None
    workers = Workers(db, settings, WorkerPlan(scheduler=True)) if embedded_workers(settings) else None
    if workers is not None:
        workers.start()
    settle_memory()
    try:
        if app is None:
            # A web process answers uvicorn's health pings once its app is built; on a busy machine
            # building it takes longer than uvicorn's 5 s, and the process would be killed and
            # started again for ever.
            uvicorn.run(
                "ecoute.web.app:app_from_environment",
                factory=True,
                workers=processes,
                timeout_worker_healthcheck=HEALTHCHECK_TIMEOUT_S,
                **options,
            )
        else:
            uvicorn.run(app, **options)
    finally:
        if workers is not None:
            workers.stop(graceful=True)
