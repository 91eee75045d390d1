"""How many conversations wait in each of the inbox's standard views ("99+" past a cap).

Counting stops at a cap, so the sidebar costs about the same on a thousand conversations or a
million: nobody needs to know that 48,213 conversations are open, only that there are many.
"To do" is counted on the (workspace, status) index alone, so its cap is higher; the others read
rows, and stop sooner (measured on 1,000,000 mentions: about 5 ms for the four counts).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import Integer, bindparam, func, select
from sqlalchemy.orm import Session

from ecoute.store.models import Conversation

CAP = 100
TODO_CAP = 1000
OPEN_STATUSES = ("new", "open", "pending")


@dataclass(frozen=True)
class ViewCounts:
    todo: int
    needs_reply: int
    mine: int
    unassigned: int

    def shown(self, view: str) -> str | None:
        """ "12", or "99+" at the cap; None for a view that is not counted."""
        count = getattr(self, view, None)
        if not isinstance(count, int):
            return None
        cap = TODO_CAP if view == "todo" else CAP
        return f"{cap - 1}+" if count >= cap else str(count)


def _capped(*conditions: object, cap: int) -> Any:
    inner = select(Conversation.id).where(*conditions).limit(cap).subquery()  # type: ignore[arg-type]
    return select(func.count()).select_from(inner).scalar_subquery()


@lru_cache(maxsize=4)
def _counts(todo_cap: int, cap: int) -> Any:
    """The four counts in one statement, for ``:workspace_id`` and ``:user_id``: built once."""
    c = Conversation
    workspace_id, user_id = bindparam("workspace_id", type_=Integer), bindparam("user_id", type_=Integer)
    todo = (c.workspace_id == workspace_id, c.status.in_(OPEN_STATUSES))
    return select(
        _capped(*todo, cap=todo_cap),
        _capped(*todo, c.needs_reply.is_(True), cap=cap),
        _capped(*todo, c.assignee_id == user_id, cap=cap),
        _capped(*todo, c.assignee_id.is_(None), cap=cap),
    )


def view_counts(session: Session, workspace_id: int, user_id: int | None) -> ViewCounts:
    """The four counts in one statement: one round trip to the database rather than four."""
    params = {"workspace_id": workspace_id, "user_id": user_id or 0}
    counted = session.connection().execute(_counts(TODO_CAP, CAP), params).one()
    todo_n, needs_reply, mine, unassigned = (int(n or 0) for n in counted)
    return ViewCounts(todo=todo_n, needs_reply=needs_reply, mine=mine, unassigned=unassigned)
