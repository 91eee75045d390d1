"""After a commit, the jobs it deferred go on their queue (or, with the ``immediate`` queue, run
right here). Wired to every SQLAlchemy session once this module is imported (``ecoute.jobs.ledger``
users import it through ``ecoute.jobs.runner``), so whoever defers work needs nothing else.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import Engine, event, update
from sqlalchemy.orm import Session

from ecoute.jobs.ledger import KICKS, Kick
from ecoute.jobs.models import Job
from ecoute.jobs.queues import QueueTarget, queues_for
from ecoute.settings import Settings
from ecoute.store.db import Database
from ecoute.store.types import utcnow

logger = logging.getLogger(__name__)
_here: ContextVar[bool] = ContextVar("ecoute_jobs_run_here", default=False)


@contextmanager
def run_here() -> Iterator[None]:
    """Jobs deferred inside run right after their commit, in this process, whatever the queue: for
    work that waits on its own jobs before any worker runs (``ecoute demo`` sending its history)."""
    token = _here.set(True)
    try:
        yield
    finally:
        _here.reset(token)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    kicks: list[Kick] | None = session.info.pop(KICKS, None)
    if kicks:
        bind = session.get_bind()
        engine = bind if isinstance(bind, Engine) else bind.engine
        dispatch(kicks, engine)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(KICKS, None)


def dispatch(kicks: Sequence[Kick], engine: Engine, settings: Settings | None = None) -> None:
    settings = settings or Settings()
    now = utcnow()
    if _here.get() or QueueTarget.of(settings).kind == "immediate":
        from ecoute.jobs.runner import run_job

        db = Database(engine)
        for kick in kicks:
            if kick.run_at <= now:
                run_job(db, settings, kick.job_id)
        return
    failed = queues_for(settings).kick(kicks, now)
    if failed:
        # The sweep re-queues jobs with no kick at once, rather than after its usual patience.
        with Session(engine) as session, session.begin():
            session.execute(update(Job).where(Job.id.in_([k.job_id for k in failed])).values(kicked_at=None))
