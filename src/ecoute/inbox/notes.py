"""Internal notes on a conversation: seen by the team, never sent to the customer."""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from ecoute.inbox.triage import get_conversation_row
from ecoute.store.models import User
from ecoute.store.people import Note
from ecoute.store.repo import Invalid, record_audit

logger = logging.getLogger(__name__)
MAX_TEXT = 10_000


def add_note(
    session: Session, workspace_id: int, conversation_id: int, text: str, *, user_id: int | None, actor: str
) -> Note:
    """Add a note; audited as ``note.add`` (who wrote what, on which conversation), whichever way
    it came (web page or API)."""
    conversation = get_conversation_row(session, workspace_id, conversation_id)
    text = text.strip()
    if not text or len(text) > MAX_TEXT:
        raise Invalid(f"text: give 1 to {MAX_TEXT} characters")
    note = Note(workspace_id=workspace_id, conversation_id=conversation.id, user_id=user_id, text=text)
    session.add(note)
    session.flush()
    record_audit(
        session,
        workspace_id,
        actor=actor,
        action="note.add",
        target_type="conversation",
        target_id=conversation.id,
        after={"note_id": note.id, "text": note.text[:500]},
    )
    logger.info("note.added", extra={"workspace_id": workspace_id, "conversation_id": conversation.id})
    return note


def list_notes(
    session: Session, workspace_id: int, conversation_id: int, *, after_id: int = 0, limit: int = 200
) -> list[tuple[Note, User | None]]:
    """Oldest first, ``limit`` notes with ids above ``after_id``."""
    conversation = get_conversation_row(session, workspace_id, conversation_id)
    rows = session.execute(
        select(Note, User)
        .outerjoin(User, User.id == Note.user_id)
        .where(Note.workspace_id == workspace_id, Note.conversation_id == conversation.id, Note.id > after_id)
        .order_by(Note.id)
        .limit(limit)
    )
    return [(note, user) for note, user in rows]
