"""Collision detection: who else is viewing or replying to a conversation right now.

Each open conversation page sends a heartbeat every few seconds (``touch``); a person counts as
present while their last heartbeat is younger than ``FRESH``. One row per (conversation, user)
is updated in place, so the table stays as small as the number of people at work. Leaving a
page sends a last heartbeat with the state ``gone``, which removes the row at once.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Integer, bindparam, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ecoute.inbox.triage import get_conversation_row
from ecoute.store.models import User
from ecoute.store.people import PRESENCE_STATES, Presence
from ecoute.store.repo import Invalid
from ecoute.store.types import DIALECTS, among_ids, utcnow

logger = logging.getLogger(__name__)
FRESH = timedelta(seconds=30)
GONE = "gone"


@dataclass(frozen=True)
class Present:
    """Someone else on a conversation: their name and whether they are viewing or replying."""

    conversation_id: int
    user_id: int
    name: str
    state: str
    seen_at: datetime

    def as_json(self) -> dict[str, object]:
        return {"user_id": self.user_id, "name": self.name, "state": self.state}


def touch(
    session: Session,
    workspace_id: int,
    conversation_id: int,
    user_id: int,
    state: str,
    *,
    now: datetime | None = None,
) -> None:
    """Record that ``user_id`` is ``viewing`` or ``replying`` now (``gone``: forget them)."""
    if state not in (*PRESENCE_STATES, GONE):
        raise Invalid(f"state {state!r}: use {', '.join((*PRESENCE_STATES, GONE))}")
    conversation = get_conversation_row(session, workspace_id, conversation_id)
    if state == GONE:
        session.execute(
            delete(Presence).where(
                Presence.workspace_id == workspace_id,
                Presence.conversation_id == conversation.id,
                Presence.user_id == user_id,
            )
        )
        return
    # One statement, so two tabs of the same person (or a heartbeat racing the previous page's
    # "gone") can never trip over each other's row.
    values = {
        "workspace_id": workspace_id,
        "conversation_id": conversation.id,
        "user_id": user_id,
        "state": state,
        "seen_at": now or utcnow(),
    }
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(Presence).values(**values)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["workspace_id", "conversation_id", "user_id"],
            set_={"state": statement.excluded.state, "seen_at": statement.excluded.seen_at},
        )
    )


def others_present(
    session: Session,
    workspace_id: int,
    conversation_ids: Sequence[int],
    user_id: int | None,
    *,
    now: datetime | None = None,
) -> dict[int, list[Present]]:
    """Everyone but ``user_id`` seen on these conversations within ``FRESH``; replying first."""
    if not conversation_ids:
        return {}
    since = (now or utcnow()) - FRESH
    connection = session.connection()
    rows = connection.execute(
        _PRESENT[connection.dialect.name],
        {"workspace_id": workspace_id, "ids": list(conversation_ids), "since": since, "me": user_id or 0},
    )
    found: dict[int, list[Present]] = {}
    for conversation_id, someone, name, state, seen_at in rows:
        found.setdefault(conversation_id, []).append(Present(conversation_id, someone, name, state, seen_at))
    return found


def _present_query(dialect: str) -> Any:
    """Who else is on the conversations ``:ids``: built once per dialect (every inbox page asks),
    plain rows, the page's ids in one parameter (see ``among_ids``)."""
    p = Presence
    return (
        select(p.conversation_id, p.user_id, User.name, p.state, p.seen_at)
        .join(User, User.id == p.user_id)
        .where(
            p.workspace_id == bindparam("workspace_id", type_=Integer),
            among_ids(p.conversation_id, "ids", dialect),
            p.seen_at >= bindparam("since", type_=p.seen_at.type),
            p.user_id != bindparam("me", type_=Integer),
        )
        .order_by(p.conversation_id, p.state, User.name)  # "replying" < "viewing"
    )


_PRESENT = {dialect: _present_query(dialect) for dialect in DIALECTS}


def forget_stale(session: Session, workspace_id: int, *, now: datetime | None = None) -> int:
    """Delete rows nobody has refreshed for ten times ``FRESH`` (housekeeping; never required)."""
    cutoff = (now or utcnow()) - FRESH * 10
    result = session.execute(
        delete(Presence).where(Presence.workspace_id == workspace_id, Presence.seen_at < cutoff)
    )
    return int(getattr(result, "rowcount", 0) or 0)
