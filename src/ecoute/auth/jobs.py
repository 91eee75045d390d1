"""Access upkeep on the task queue: failed-login keys every throttle has forgotten, pruned daily
(successful logins prune too; this covers a desk where nobody logged in)."""

from __future__ import annotations

from datetime import timedelta

from ecoute.auth import throttle
from ecoute.jobs import JobContext, periodic
from ecoute.store.types import utcnow


@periodic("auth.forget_failures", every=timedelta(days=1), queue="bulk")
def forget_failures(ctx: JobContext) -> None:
    with ctx.db.session() as session:
        throttle.forget_old(session, utcnow())
