"""Triage on one or many conversations at once: assign, set a status, add or take off a tag.

Every change goes through ``ecoute.inbox.triage.update_conversation`` (one audit event per
conversation, with before and after). A batch is all or nothing: an id that is not in the
workspace stops it with NotFound before the caller's transaction commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from ecoute.inbox import triage
from ecoute.inbox.tags import create_tag
from ecoute.store.models import ConversationTag, Tag
from ecoute.store.repo import Invalid, NotFound

MAX_BATCH = 200
Operation = Literal["assign", "status", "tag", "untag"]


@dataclass(frozen=True)
class BatchResult:
    changed: int  # conversations that actually changed
    total: int


def conversation_tags(session: Session, workspace_id: int, conversation_id: int) -> list[str]:
    rows = session.scalars(
        select(Tag.name)
        .join(ConversationTag, ConversationTag.tag_id == Tag.id)
        .where(
            ConversationTag.workspace_id == workspace_id, ConversationTag.conversation_id == conversation_id
        )
    )
    return sorted(rows)


def ensure_tag(session: Session, workspace_id: int, name: str, *, may_create: bool, actor: str) -> str:
    """The tag's stored name; created first when allowed, else Invalid names the missing tag."""
    name = " ".join(name.split())
    if not name:
        raise Invalid("tag: give a tag name")
    found = session.scalar(select(Tag.name).where(Tag.workspace_id == workspace_id, Tag.name == name))
    if found is not None:
        return found
    if not may_create:
        raise Invalid(f"tag {name!r} does not exist: ask an admin to create it")
    return create_tag(session, workspace_id, name, None, actor=actor).name


def change_one(
    session: Session,
    workspace_id: int,
    conversation_id: int,
    operation: Operation,
    value: str | int | None,
    *,
    actor: str,
) -> bool:
    """Apply one operation; True when the conversation changed. ``value``: the assignee's id
    (None unassigns), the status, or the tag's name."""
    row = triage.get_conversation_row(session, workspace_id, conversation_id)
    if operation == "assign":
        if row.assignee_id == value:
            return False
        changes = triage.ConversationChanges(assignee_id=None if value is None else int(value))
    elif operation == "status":
        if row.status == value:
            return False
        changes = triage.ConversationChanges(status=str(value))
    else:
        current = conversation_tags(session, workspace_id, row.id)
        wanted = sorted({*current, str(value)}) if operation == "tag" else [t for t in current if t != value]
        if wanted == current:
            return False
        changes = triage.ConversationChanges(tags=wanted)
    triage.update_conversation(session, workspace_id, row.id, changes, actor=actor)
    return True


def change_many(
    session: Session,
    workspace_id: int,
    conversation_ids: Sequence[int],
    operation: Operation,
    value: str | int | None,
    *,
    actor: str,
) -> BatchResult:
    ids = list(dict.fromkeys(conversation_ids))
    if not ids:
        raise Invalid("ids: select at least one conversation")
    if len(ids) > MAX_BATCH:
        raise Invalid(f"ids: at most {MAX_BATCH} conversations at once")
    try:
        changed = sum(change_one(session, workspace_id, i, operation, value, actor=actor) for i in ids)
    except NotFound:
        raise NotFound("one of the selected conversations is not in this workspace") from None
    return BatchResult(changed, len(ids))
