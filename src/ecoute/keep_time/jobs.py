"""Deadline notices, every minute: conversations about to miss their first-response target are
announced once each (webhook deliveries and e-mail, see ``ecoute.keep_time.notify``)."""

from __future__ import annotations

from datetime import timedelta

from ecoute.jobs import JobContext, periodic
from ecoute.keep_time.notify import notify_breaches


@periodic("keep_time.notify", every=timedelta(minutes=1), queue="interactive")
def announce_breaches(ctx: JobContext) -> None:
    notify_breaches(ctx.db, ctx.settings)
