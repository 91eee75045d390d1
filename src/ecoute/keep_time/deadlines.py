"""The running clocks of a workspace's conversations, read from the store, and those about to breach.

A conversation's clock runs from its earliest visible mention that needs a reply and came after
the last reply the team sent (``Reply.sent_at``); it stops when a reply is sent, when the
conversation is resolved, or when an agent marks it as not needing a reply. Hidden mentions never
start a clock. The target is that of the conversation's current priority.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Integer, and_, bindparam, case, func, literal, select, union_all
from sqlalchemy.orm import Session

from ecoute.keep_time.calendar import BusinessCalendar
from ecoute.keep_time.clock import latest_start
from ecoute.keep_time.config import KeepTimeConfig, load_config
from ecoute.keep_time.targets import BreachState, Clock, DeadlineStatus, deadline_for, statuses_at
from ecoute.store.models import Conversation, Mention, Reply, Workspace
from ecoute.store.types import DIALECTS, among_ids

_CHUNK = 500
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # before any mention: no reply sent yet


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
        return cls(config, BusinessCalendar.shared(config.business_hours, workspace.timezone))


def clock_start(workspace_id: int) -> Any:
    """SQL: when the conversation's running clock started (correlated to ``Conversation``), NULL when
    no mention waits. Each conversation costs two index probes: its last sent reply
    (``ix_replies_conversation_id``), then its first waiting mention after it, in thread order
    (``ix_mentions_ws_conversation``). Whether the conversation itself may run one is
    ``runs_a_clock``'s business."""
    return _of_clock_start(workspace_id, Mention.created_at)


def _of_clock_start(workspace_id: int, value: Any) -> Any:
    """SQL: ``value``, an expression on ``Mention``, for the mention that started the clock (see
    ``clock_start``): a test on the start costs one pair of probes however often it names it."""
    last_sent = (
        select(func.max(Reply.sent_at))
        .where(
            Reply.conversation_id == Conversation.id,
            Reply.workspace_id == workspace_id,
            Reply.sent_at.is_not(None),
        )
        .correlate(Conversation)
        .scalar_subquery()
    )
    m = Mention
    return (
        select(value)
        .where(
            m.workspace_id == workspace_id,
            m.conversation_id == Conversation.id,
            m.hidden.is_(False),
            m.needs_reply.is_(True),
            # One value per conversation, so SQLite and PostgreSQL seek the index past it.
            m.created_at > func.coalesce(last_sent, literal(_EPOCH, m.created_at.type)),
        )
        .order_by(m.created_at)
        .limit(1)
        .correlate(Conversation)
        .scalar_subquery()
    )


def runs_a_clock() -> list[Any]:
    """SQL conditions on ``Conversation``: it may run a clock (not resolved, still needing a reply)."""
    return [Conversation.status != "resolved", Conversation.needs_reply.is_(True)]


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


def _clocks_query(by_id: bool, dialect: str) -> Any:
    """The running clocks of a workspace (``:workspace_id``), or of the conversations ``:ids`` of it.
    Built once: a page's clocks are read on every inbox page and API list."""
    c = Conversation
    workspace_id = bindparam("workspace_id", type_=Integer)
    stmt = select(c.id, c.assignee_id, c.priority, clock_start(workspace_id)).where(*runs_a_clock())
    if not by_id:
        return stmt.where(c.workspace_id == workspace_id).order_by(c.id)
    # Looked up by id: "+ 0" keeps SQLite (it has no statistics) from walking a workspace
    # index past every conversation instead, 100 ms or more for a page on a large workspace.
    return stmt.where(among_ids(c.id, "ids", dialect), (c.workspace_id + 0) == workspace_id).order_by(c.id)


_CLOCKS = {(by_id, d): _clocks_query(by_id, d) for by_id in (False, True) for d in DIALECTS}


def _clocks(session: Session, workspace_id: int, ids: list[int] | None) -> list[ConversationClock]:
    params: dict[str, Any] = {"workspace_id": workspace_id}
    if ids is not None:
        params["ids"] = list(ids)
    connection = session.connection()
    rows = connection.execute(_CLOCKS[ids is not None, connection.dialect.name], params)
    return [
        ConversationClock(cid, assignee, Clock(started_at=started, priority=priority or 0))
        for cid, assignee, priority, started in rows
        if started is not None
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
    clocks = open_clocks(session, workspace.id, conversation_ids)
    deadlines = [deadline_for(item.clock, kt.calendar, targets) for item in clocks]
    found = [
        ConversationDeadline(item.conversation_id, item.assignee_id, status)
        for item, status in zip(clocks, statuses_at(deadlines, now, kt.calendar, targets), strict=True)
    ]
    return sorted(found, key=lambda d: (d.status.due_at, d.conversation_id))


def page_deadlines(
    session: Session,
    workspace: Workspace,
    conversation_ids: Sequence[int],
    now: datetime,
    keep_time: KeepTime | None = None,
) -> dict[int, DeadlineStatus]:
    """The deadlines of the listed conversations only (an inbox page), by conversation id; those
    with no running clock are left out. Two index probes per conversation, whatever the workspace's size."""
    if not conversation_ids:
        return {}
    found = conversation_deadlines(session, workspace, now, conversation_ids, keep_time)
    return {d.conversation_id: d.status for d in found}


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


def state_cutoffs(keep_time: KeepTime, now: datetime, state: BreachState) -> list[tuple[int, datetime]]:
    """Per band (``min_priority``, highest first), the latest clock start that is in ``state`` or
    worse at ``now``: breached when the target has run by ``now``, due soon when the target less its
    margin has (``ecoute.keep_time.clock.latest_start``)."""
    targets = keep_time.config.response_targets
    found = []
    for band in targets.bands:
        target = targets.target_for(band.min_priority)
        allowed = target if state is BreachState.BREACHED else target - targets.due_soon_margin(target)
        found.append((band.min_priority, latest_start(now, allowed, keep_time.calendar)))
    return found


def deadline_state_condition(
    workspace_id: int, keep_time: KeepTime, now: datetime, states: Sequence[BreachState]
) -> Any:
    """SQL condition on ``Conversation``: its running clock is in one of ``states`` at ``now``.

    Exact, with no row read in Python: a clock is breached when its start is at or before the
    band's breach cutoff, due soon when after that and at or before the due-soon cutoff (the same
    as ``status_at`` on the clock — see ``state_cutoffs``)."""
    start = Mention.created_at  # of the mention that started the clock

    def cutoff(state: BreachState) -> Any:
        bands = state_cutoffs(keep_time, now, state)
        whens = [(Conversation.priority >= low, literal(at, start.type)) for low, at in bands[:-1]]
        return case(*whens, else_=literal(bands[-1][1], start.type))

    wanted = set(states)
    if BreachState.OK in wanted:
        raise ValueError("filter on due_soon and breached only: an ok clock is every other one")
    if wanted == {BreachState.BREACHED}:
        matches = start <= cutoff(BreachState.BREACHED)
    elif wanted == {BreachState.DUE_SOON}:
        matches = and_(start <= cutoff(BreachState.DUE_SOON), start > cutoff(BreachState.BREACHED))
    else:
        matches = start <= cutoff(BreachState.DUE_SOON)
    # NULL (no clock) or false: left out.
    return and_(*runs_a_clock(), _of_clock_start(workspace_id, matches))


def due_soon_windows(keep_time: KeepTime, now: datetime) -> list[tuple[datetime, datetime]]:
    """Where the clock of a conversation due soon at ``now`` can have started: per band, after its
    breach cutoff and at or before its due-soon cutoff (``state_cutoffs``), as ``(after, until]``
    pairs, overlapping ones merged, earliest first. Each is a band's margin of business time,
    so in real time at most that margin plus the nights, weekends and holidays inside it."""
    breached = dict(state_cutoffs(keep_time, now, BreachState.BREACHED))
    spans = sorted(
        (breached[band], until) for band, until in state_cutoffs(keep_time, now, BreachState.DUE_SOON)
    )
    merged: list[tuple[datetime, datetime]] = []
    for after, until in spans:
        if merged and after <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(until, merged[-1][1]))
        else:
            merged.append((after, until))
    return merged


def due_soon_candidates(
    session: Session, workspace_id: int, keep_time: KeepTime, now: datetime, *, limit: int
) -> list[int] | None:
    """The conversations that may be due soon at ``now``, or None when ``limit`` mentions would
    have to be read to find them (then walking the inbox order is the better plan).

    A clock starts at a visible mention needing a reply, so a conversation due soon holds one
    created inside ``due_soon_windows``: a few index ranges on ``ix_mentions_ws_created``, bounded
    by the mentions of those windows rather than by the workspace. It is a superset; the exact
    test is ``deadline_state_condition``."""
    m = Mention
    ranges = [
        select(m.conversation_id).where(
            m.workspace_id == workspace_id,
            m.created_at > after,
            m.created_at <= until,
            m.hidden.is_(False),
            m.needs_reply.is_(True),
        )
        for after, until in due_soon_windows(keep_time, now)
    ]
    query = ranges[0] if len(ranges) == 1 else union_all(*ranges)
    found = list(session.scalars(query.limit(limit)))
    return None if len(found) >= limit else sorted(set(found))
