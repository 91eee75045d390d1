"""The live events a transaction brings, published once it has committed (never before: a page
that re-reads at once must find the change) and dropped if it rolls back.

Two sources: ``announce`` (the ingest path: mentions stored), and every audited action on the desk
(``record_audit`` with a conversation, note, reply, mention, tag or erasure action) plus every reply
written — whichever route, command or worker made the change, its colleagues' pages hear of it.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from ecoute.live.buses import BusTarget, LiveConfigError, bus_for
from ecoute.live.events import CHANGED, LiveEvent
from ecoute.settings import Settings
from ecoute.store.models import AuditEvent, Reply

logger = logging.getLogger(__name__)
PENDING = "ecoute.live.pending"  # session.info entry: the events to publish after commit
WATCHED_ACTIONS = ("conversation.", "note.", "reply.", "mention.", "tag.", "privacy.erase")


def announce(
    session: Session, workspace_id: int, kind: str, *, conversation_id: int | None = None, count: int = 0
) -> None:
    """Publish this event once the session's transaction commits."""
    session.info.setdefault(PENDING, []).append(LiveEvent(workspace_id, kind, conversation_id, count))


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context: Any) -> None:
    for row in list(session.new) + list(session.dirty):
        found = _event_of(row)
        if found is not None:
            session.info.setdefault(PENDING, []).append(found)


def _event_of(row: object) -> LiveEvent | None:
    if isinstance(row, AuditEvent) and row.action.startswith(WATCHED_ACTIONS):
        conversation = int(row.target_id) if row.target_type == "conversation" and row.target_id else None
        return LiveEvent(row.workspace_id, CHANGED, conversation)
    if isinstance(row, Reply):
        return LiveEvent(row.workspace_id, CHANGED, row.conversation_id)
    return None


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    pending: list[LiveEvent] | None = session.info.pop(PENDING, None)
    if not pending:
        return
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    publish(_merged(pending), engine.url.render_as_string(hide_password=False))


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(PENDING, None)


def publish(events: list[LiveEvent], database_url: str, settings: Settings | None = None) -> None:
    try:
        target = BusTarget.of(settings or Settings(), database_url)
    except LiveConfigError as error:
        logger.warning("live.misconfigured", extra={"error": str(error)})
        return
    bus_for(target).publish(events)


def _merged(events: list[LiveEvent]) -> list[LiveEvent]:
    """One event per workspace, kind and conversation (mention counts added up)."""
    merged: dict[tuple[int, str, int | None], LiveEvent] = {}
    for e in events:
        key = (e.workspace_id, e.kind, e.conversation_id)
        before = merged.get(key)
        merged[key] = e if before is None else LiveEvent(*key, before.count + e.count)
    return list(merged.values())
