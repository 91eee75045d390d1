"""Changing a conversation: status, assignee, tags and needs-reply, each change audited with the
values before and after. Shared by the REST API and the pages; callers check the role first.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ecoute.auth.users import get_role
from ecoute.inbox.tags import tags_by_name
from ecoute.store.models import CONVERSATION_STATUSES, Conversation, ConversationTag, Tag
from ecoute.store.repo import Invalid, NotFound, record_audit
from ecoute.store.types import utcnow

logger = logging.getLogger(__name__)
_UNSET: Any = object()


@dataclass
class ConversationChanges:
    """What to change; a field left ``UNSET`` is kept. ``assignee_id=None`` unassigns."""

    status: str | None = _UNSET
    assignee_id: int | None = _UNSET
    tags: Sequence[str] | None = _UNSET
    needs_reply: bool | None = _UNSET
    given: set[str] = field(init=False, default_factory=set)

    def __post_init__(self) -> None:
        self.given = {name for name in ("status", "assignee_id", "tags", "needs_reply") if self._is_set(name)}

    def _is_set(self, name: str) -> bool:
        return getattr(self, name) is not _UNSET


def get_conversation_row(session: Session, workspace_id: int, conversation_id: int) -> Conversation:
    row = session.scalar(
        select(Conversation).where(
            Conversation.workspace_id == workspace_id, Conversation.id == conversation_id
        )
    )
    if row is None:
        raise NotFound(f"no conversation #{conversation_id} in this workspace")
    return row


def update_conversation(
    session: Session, workspace_id: int, conversation_id: int, changes: ConversationChanges, *, actor: str
) -> Conversation:
    """Apply ``changes``; one audit event ``conversation.update`` lists what changed."""
    row = get_conversation_row(session, workspace_id, conversation_id)
    if not changes.given:
        raise Invalid("nothing to change: give status, assignee_id, tags or needs_reply")
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    if "status" in changes.given:
        _change(before, after, "status", row.status, _status(changes.status))
        row.status = after.get("status", row.status)
    if "assignee_id" in changes.given:
        _check_member(session, workspace_id, changes.assignee_id)
        _change(before, after, "assignee_id", row.assignee_id, changes.assignee_id)
        row.assignee_id = changes.assignee_id
    if "needs_reply" in changes.given:
        if changes.needs_reply is None:
            raise Invalid("needs_reply: give true or false")
        _change(before, after, "needs_reply", row.needs_reply, changes.needs_reply)
        row.needs_reply = changes.needs_reply
    if "tags" in changes.given:
        old, new = _replace_tags(session, workspace_id, row.id, changes.tags or ())
        _change(before, after, "tags", old, new)
    if after:
        row.updated_at = utcnow()
        record_audit(
            session,
            workspace_id,
            actor=actor,
            action="conversation.update",
            target_type="conversation",
            target_id=row.id,
            before=before,
            after=after,
        )
    logger.info(
        "conversation.updated",
        extra={"workspace_id": workspace_id, "conversation_id": row.id, "fields": sorted(after)},
    )
    return row


def _change(before: dict[str, Any], after: dict[str, Any], name: str, old: Any, new: Any) -> None:
    if old != new:
        before[name] = old
        after[name] = new


def _status(value: str | None) -> str:
    if value not in CONVERSATION_STATUSES:
        raise Invalid(f"status {value!r}: use one of {', '.join(CONVERSATION_STATUSES)}")
    return value


def _check_member(session: Session, workspace_id: int, user_id: int | None) -> None:
    if user_id is not None and get_role(session, workspace_id, user_id) is None:
        raise Invalid(f"assignee_id {user_id}: no member of this workspace has this id")


def _replace_tags(
    session: Session, workspace_id: int, conversation_id: int, names: Sequence[str]
) -> tuple[list[str], list[str]]:
    wanted = tags_by_name(session, workspace_id, names)
    current = session.execute(
        select(Tag.name)
        .join(ConversationTag, ConversationTag.tag_id == Tag.id)
        .where(
            ConversationTag.workspace_id == workspace_id, ConversationTag.conversation_id == conversation_id
        )
    )
    old = sorted(name for (name,) in current)
    new = sorted(tag.name for tag in wanted)
    if old != new:
        session.execute(
            delete(ConversationTag).where(
                ConversationTag.workspace_id == workspace_id,
                ConversationTag.conversation_id == conversation_id,
            )
        )
        session.add_all(
            ConversationTag(conversation_id=conversation_id, tag_id=tag.id, workspace_id=workspace_id)
            for tag in wanted
        )
        session.flush()
    return old, new
