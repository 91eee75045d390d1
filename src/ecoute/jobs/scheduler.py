"""The scheduler's tick, once a minute in exactly one process (``ecoute worker --scheduler``, or
the web app's embedded workers on one machine): defer each periodic job whose period began, and
sweep the ledger for jobs that lost their queue message or their worker.

A second scheduler started by mistake does no harm: a periodic job's key names its period
(``periodic:<name>:<period number>``), so the second one's deferrals are refused by the ledger.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from ecoute.jobs import ledger, registry
from ecoute.jobs.queues import QueueTarget, queues_for
from ecoute.settings import Settings
from ecoute.store.db import Database
from ecoute.store.types import utcnow

logger = logging.getLogger(__name__)


@dataclass
class TickReport:
    deferred: list[str] = field(default_factory=list)
    sweep: ledger.SweepReport = field(default_factory=ledger.SweepReport)


def period_of(spec: registry.PeriodicSpec, now: datetime) -> int:
    return int(now.timestamp() // spec.every.total_seconds())


def tick(db: Database, settings: Settings, *, now: datetime | None = None) -> TickReport:
    now = now or utcnow()
    report = TickReport()
    # Which queues are empty, read before this tick's own periodic jobs go on them: every minute
    # puts some on ``interactive``, which would otherwise never look idle here, and a job whose
    # message a killed worker took would wait out the sweep's whole patience.
    target = QueueTarget.of(settings)
    idle = queues_for(settings).idle() if target.kind != "immediate" else frozenset(registry.QUEUES)
    with db.session() as session:
        for spec in registry.periodics():
            period = period_of(spec, now)
            if ledger.defer(session, spec.kind, {"period": period}, key=f"periodic:{spec.name}:{period}"):
                report.deferred.append(spec.name)
    report.sweep = ledger.sweep(db, now=now, idle_queues=idle)
    logger.info("scheduler.tick", extra={"deferred": report.deferred, **report.sweep.__dict__})
    return report
