"""Digests on the task queue: every 15 minutes, the digests that became due are sent (each once)."""

from __future__ import annotations

from datetime import timedelta

from ecoute.digests.send import send_due
from ecoute.jobs import JobContext, periodic


@periodic("digests.send", every=timedelta(minutes=15), queue="bulk", lease=timedelta(minutes=15))
def send_digests(ctx: JobContext) -> None:
    send_due(ctx.db, ctx.settings)
