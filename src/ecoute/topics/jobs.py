"""Topics on the task queue: every workspace's topics rebuilt every six hours, and new mentions
joining the nearest topic every five minutes in between (each embedded once, then kept)."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from ecoute.jobs import JobContext, job, periodic
from ecoute.store.models import Workspace

from .vectors import embed
from .workspace import assign_new, rebuild

logger = logging.getLogger(__name__)
LEASE = timedelta(minutes=30)  # the first rebuild of a large workspace embeds all its mentions


@periodic("topics.rebuild", every=timedelta(hours=6), queue="bulk", lease=LEASE)
def rebuild_all(ctx: JobContext) -> None:
    for workspace_id in _workspaces(ctx):
        rebuild_workspace(ctx, workspace_id)
        ctx.heartbeat()


@periodic("topics.join", every=timedelta(minutes=5), queue="bulk", lease=LEASE)
def join_all(ctx: JobContext) -> None:
    for workspace_id in _workspaces(ctx):
        with ctx.db.session() as session:
            joined = assign_new(session, workspace_id, embed)
        if joined:
            logger.info("topics.joined", extra={"workspace_id": workspace_id, "mentions": joined})
        ctx.heartbeat()


@job("topics.rebuild_now", queue="bulk", lease=LEASE, max_attempts=2)
def rebuild_now(ctx: JobContext, payload: dict[str, Any]) -> None:
    """One workspace's topics rebuilt now (asked for by an admin)."""
    if ctx.workspace_id is not None:
        rebuild_workspace(ctx, ctx.workspace_id)


def rebuild_workspace(ctx: JobContext, workspace_id: int) -> None:
    with ctx.db.session() as session:
        outcome = rebuild(session, workspace_id, embed)
    logger.info(
        "topics.rebuilt",
        extra={
            "workspace_id": workspace_id,
            "mentions": outcome.mentions,
            "topics": outcome.topics,
            "kept": outcome.kept,
        },
    )


def _workspaces(ctx: JobContext) -> list[int]:
    with ctx.db.session() as session:
        return list(session.scalars(select(Workspace.id).order_by(Workspace.id)))
