"""The running clocks of a workspace's conversations, read from the store, and those about to breach.

A conversation's clock runs from its earliest visible mention that needs a reply and came after
the last reply the team sent (``Reply.sent_at``); it stops when a reply is sent, when the
conversation is resolved, or when an agent marks it as not needing a reply. Hidden mentions never
start a clock. The target is that of the conversation's current priority.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from ecoute.keep_time.calendar import BusinessCalendar
from ecoute.keep_time.config import KeepTimeConfig, load_config
from ecoute.keep_time.targets import BreachState, Clock, DeadlineStatus, deadline_for, status_at
from ecoute.store.models import Conversation, Mention, Reply, Workspace

_CHUNK = 500


@dataclass(frozen=True)
class ConversationClock:
    conversation_id: int
    assignee_id: int | None
    clock: Clock


@dataclass(frozen=True)
class ConversationDeadline:
    conversation_id: int
    assignee_id: int | None
    status: DeadlineStatus

    @property
    def state(self) -> BreachState:
        return self.status.state


@dataclass(frozen=True)
class KeepTime:
    """A workspace's settings and calendar, read once and shared by the computations of a request."""

    config: KeepTimeConfig
    calendar: BusinessCalendar

    @classmethod
    def of(cls, workspace: Workspace) -> KeepTime:
        config = load_config(workspace)
        return cls(config, BusinessCalendar.from_config(config.business_hours, workspace.timezone))


def open_clocks(
    session: Session, workspace_id: int, conversation_ids: Sequence[int] | None = None
) -> list[ConversationClock]:
    """The conversations waiting for an answer (all, or those of ``conversation_ids``), by id."""
    if conversation_ids is None:
        return _clocks(session, workspace_id, None)
    ids = sorted(set(conversation_ids))
    found: list[ConversationClock] = []
    for start in range(0, len(ids), _CHUNK):
        found.extend(_clocks(session, workspace_id, ids[start : start + _CHUNK]))
    return found


def _clocks(session: Session, workspace_id: int, ids: list[int] | None) -> list[ConversationClock]:
    last_sent = (
        select(Reply.conversation_id.label("conversation_id"), func.max(Reply.sent_at).label("at"))
        .where(Reply.workspace_id == workspace_id, Reply.sent_at.is_not(None))
        .group_by(Reply.conversation_id)
        .subquery()
    )
    c, m = Conversation, Mention
    stmt = (
        select(c.id, c.assignee_id, c.priority, func.min(m.created_at))
        .join(m, and_(m.conversation_id == c.id, m.workspace_id == workspace_id))
        .outerjoin(last_sent, last_sent.c.conversation_id == c.id)
        .where(
            c.workspace_id == workspace_id,
            c.status != "resolved",
            c.needs_reply.is_(True),
            m.hidden.is_(False),
            m.needs_reply.is_(True),
            or_(last_sent.c.at.is_(None), m.created_at > last_sent.c.at),
        )
        .group_by(c.id, c.assignee_id, c.priority)
        .order_by(c.id)
    )
    if ids is not None:
        stmt = stmt.where(c.id.in_(ids))
    return [
        ConversationClock(cid, assignee, Clock(started_at=started, priority=priority or 0))
        for cid, assignee, priority, started in session.execute(stmt)
    ]


def conversation_deadlines(
    session: Session,
    workspace: Workspace,
    now: datetime,
    conversation_ids: Sequence[int] | None = None,
    keep_time: KeepTime | None = None,
) -> list[ConversationDeadline]:
    """Every running clock with its deadline and state at ``now``, soonest deadline first."""
    kt = keep_time or KeepTime.of(workspace)
    targets = kt.config.response_targets
    found = [
        ConversationDeadline(
            conversation_id=item.conversation_id,
            assignee_id=item.assignee_id,
            status=status_at(deadline_for(item.clock, kt.calendar, targets), now, kt.calendar, targets),
        )
        for item in open_clocks(session, workspace.id, conversation_ids)
    ]
    return sorted(found, key=lambda d: (d.status.due_at, d.conversation_id))


def about_to_breach(
    session: Session,
    workspace: Workspace,
    now: datetime,
    *,
    min_priority: int = 0,
    include_breached: bool = True,
    keep_time: KeepTime | None = None,
) -> list[ConversationDeadline]:
    """Conversations due soon (and, unless told otherwise, already breached), soonest first."""
    states = {BreachState.DUE_SOON, BreachState.BREACHED} if include_breached else {BreachState.DUE_SOON}
    return [
        d
        for d in conversation_deadlines(session, workspace, now, keep_time=keep_time)
        if d.state in states and d.status.deadline.priority >= min_priority
    ]
