"""Replies go out through the queue: ``send_later`` records the job with the reply (one
transaction), an ``interactive`` worker delivers it, and the composer waits a moment for the
platform's answer so that the agent usually sees "sent" at once.

A worker killed mid-send leaves the job leased and the reply ``sending``: the lease runs out, the
sweep hands the job to another worker, and ``deliver`` posts again with the reply's own
idempotency key, which the platform (or the sender, by looking first) uses to post only once.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ecoute.jobs import JobContext, defer, job, periodic
from ecoute.respond.retry import retry_stuck
from ecoute.respond.sending import deliver, state_of
from ecoute.sources.base import SourceError
from ecoute.store.db import Database
from ecoute.store.models import Reply
from ecoute.store.repo import NotFound

SEND_WAIT_S = 8.0  # how long the composer waits for the platform's answer before saying "sending"
POLL_S = 0.05


@job("reply.send", queue="interactive", lease=timedelta(minutes=2), max_attempts=6)
def send_reply(ctx: JobContext, payload: dict[str, Any]) -> None:
    if ctx.workspace_id is None:
        raise ValueError("reply.send needs the reply's workspace")
    try:
        deliver(ctx.db, ctx.workspace_id, int(payload["reply_id"]), actor=str(payload.get("actor") or "jobs"))
    except SourceError:
        return  # recorded on the reply ("failed", the platform's words kept): the agent decides


@periodic("replies.retry_stuck", every=timedelta(minutes=5), queue="interactive")
def retry_stuck_replies(ctx: JobContext) -> None:
    """A safety net: replies left ``sending`` by anything but a job (an older version, a crash
    between the reply's commit and its job's) are delivered again."""
    retry_stuck(ctx.db)


def send_later(session: Session, reply: Reply, *, actor: str) -> None:
    """Record the reply's delivery job in the caller's transaction (the reply is ``sending``)."""
    state = state_of(session, reply)
    defer(
        session,
        "reply.send",
        {"reply_id": reply.id, "actor": actor},
        key=f"reply:{reply.id}:send:{state.attempts}",
        workspace_id=reply.workspace_id,
    )


def await_delivery(db: Database, workspace_id: int, reply_id: int, *, timeout: float = SEND_WAIT_S) -> Reply:
    """The reply once the platform answered (or as it is after ``timeout``: still ``sending``).
    A refusal is raised as the ``SourceError`` the platform gave, as when sending was inline."""
    deadline = time.monotonic() + timeout
    while True:
        with db.session() as session:
            reply = session.scalar(
                select(Reply).where(Reply.workspace_id == workspace_id, Reply.id == reply_id)
            )
            if reply is None:
                raise NotFound(f"no reply #{reply_id} in this workspace")
            if reply.status == "failed":
                error = state_of(session, reply).last_error or "the platform refused the reply"
                raise SourceError(error, retriable=True)
            if reply.status != "sending" or time.monotonic() >= deadline:
                return reply
        time.sleep(POLL_S)
