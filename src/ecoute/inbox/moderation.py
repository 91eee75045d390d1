"""Hiding a mention: customers' words are never deleted; hiding only flags them, and is audited."""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from ecoute.inbox.thread_state import apply_states, read_states
from ecoute.store.models import Mention
from ecoute.store.repo import NotFound, record_audit

logger = logging.getLogger(__name__)


def get_mention(session: Session, workspace_id: int, mention_id: int) -> Mention:
    mention = session.scalar(
        select(Mention).where(Mention.workspace_id == workspace_id, Mention.id == mention_id)
    )
    if mention is None:
        raise NotFound(f"no mention #{mention_id} in this workspace")
    return mention


def set_hidden(session: Session, workspace_id: int, mention_id: int, hidden: bool, *, actor: str) -> Mention:
    """Hide or show again; an audit event is written only when the flag actually changes, and the
    conversation is read again as a thread: a hidden message no longer drives its priority or asks
    for a reply, and one shown again that asks for a reply, as the latest, needs one again."""
    mention = get_mention(session, workspace_id, mention_id)
    if mention.hidden != hidden:
        record_audit(
            session,
            workspace_id,
            actor=actor,
            action="mention.hide" if hidden else "mention.unhide",
            target_type="mention",
            target_id=mention.id,
            before={"hidden": mention.hidden},
            after={"hidden": hidden},
        )
        mention.hidden = hidden
        logger.info(
            "mention.hidden_changed",
            extra={"workspace_id": workspace_id, "mention_id": mention.id, "hidden": hidden},
        )
        session.flush()
        states = read_states(session, workspace_id, [mention.conversation_id])
        apply_states(session, workspace_id, states, arrived=() if hidden else (mention.id,))
    return mention
