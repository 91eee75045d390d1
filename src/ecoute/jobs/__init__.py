"""Background work: jobs recorded in the database's ledger, woken up through a real task queue
(Huey: an SQLite file on one machine, Redis or PostgreSQL across machines), run by workers that
claim each job with a lease, and periodic work from exactly one scheduler.

    from ecoute.jobs import job, periodic, defer, RetryLater, Permanent

The names are loaded on first use: ``ecoute.store.models`` imports ``ecoute.jobs.models`` to put
the ledger on the metadata, and this package must not import the store back while it loads.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "job": "ecoute.jobs.registry",
    "periodic": "ecoute.jobs.registry",
    "JobContext": "ecoute.jobs.registry",
    "RetryLater": "ecoute.jobs.registry",
    "Permanent": "ecoute.jobs.registry",
    "defer": "ecoute.jobs.ledger",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'ecoute.jobs' has no attribute {name!r}")
    return getattr(import_module(module), name)
