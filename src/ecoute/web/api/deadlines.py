"""``/api/v1/deadlines``: conversations waiting for a first answer, with their deadline in business
hours and its state (ok, due soon, breached); and ``/api/v1/keep-time``, the settings behind them.

Clocks and targets are defined in ``ecoute.keep_time`` (see ``docs/metrics.md``). Any member may
read them; changing the settings needs the ``manage_workspace`` permission and is audited.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query
from pydantic import BaseModel, Field

from ecoute.auth.permissions import Action
from ecoute.keep_time.config import KeepTimeConfig, load_config, save_config
from ecoute.keep_time.deadlines import ConversationDeadline, KeepTime, conversation_deadlines
from ecoute.store.types import utcnow
from ecoute.web.api.params import BEARER
from ecoute.web.api.schemas import ClockOut, errors
from ecoute.web.deps import DbSession, WorkspaceContext, api_require

router = APIRouter(prefix="/api/v1", tags=["deadlines"], dependencies=BEARER)
States = Literal["ok", "due_soon", "breached"]


class DeadlineOut(ClockOut):
    conversation_id: int
    priority: int
    assignee_id: int | None

    @classmethod
    def of_conversation(cls, d: ConversationDeadline) -> DeadlineOut:
        return cls(
            conversation_id=d.conversation_id,
            priority=d.status.deadline.priority,
            assignee_id=d.assignee_id,
            **ClockOut.of(d.status).model_dump(),
        )


class DeadlinePage(BaseModel):
    now: datetime
    timezone: str
    items: list[DeadlineOut]


class KeepTimeOut(BaseModel):
    timezone: str = Field(description="The workspace's time zone (set with the workspace).")
    settings: KeepTimeConfig


@router.get("/deadlines", response_model=DeadlinePage, responses=errors(403))
def list_deadlines(
    session: DbSession,
    ctx: Annotated[WorkspaceContext, api_require(Action.VIEW)],
    state: Annotated[
        list[States] | None, Query(description="Only these states (repeatable); all by default.")
    ] = None,
    min_priority: Annotated[int, Query(ge=0, le=100)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> DeadlinePage:
    """Running clocks, soonest deadline first."""
    now = utcnow()
    found = conversation_deadlines(session, ctx.workspace, now, keep_time=KeepTime.of(ctx.workspace))
    wanted = set(state or ("ok", "due_soon", "breached"))
    items = [
        DeadlineOut.of_conversation(d)
        for d in found
        if d.state.value in wanted and d.status.deadline.priority >= min_priority
    ]
    return DeadlinePage(now=now, timezone=ctx.workspace.timezone, items=items[:limit])


@router.get("/keep-time", response_model=KeepTimeOut, responses=errors(403))
def get_keep_time(ctx: Annotated[WorkspaceContext, api_require(Action.VIEW)]) -> KeepTimeOut:
    """Business hours, holidays, response targets and breach alerts (defaults filled in)."""
    return KeepTimeOut(timezone=ctx.workspace.timezone, settings=load_config(ctx.workspace))


@router.put("/keep-time", response_model=KeepTimeOut, responses=errors(403))
def put_keep_time(
    session: DbSession,
    ctx: Annotated[WorkspaceContext, api_require(Action.MANAGE_WORKSPACE)],
    body: Annotated[
        dict[str, Any], Body(description="Like the 'settings' of GET; omitted parts take defaults.")
    ],
) -> KeepTimeOut:
    """Replace the settings (validated; audited as ``workspace.keep_time``)."""
    config = save_config(session, ctx.workspace, body, actor=ctx.actor)
    return KeepTimeOut(timezone=ctx.workspace.timezone, settings=config)
