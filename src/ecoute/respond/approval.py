"""Replies that wait for an approver: which roles need one (a workspace setting), the queue, and
the approver's decision — approve (possibly after editing) or reject with a note. All audited.

    set_approval_roles(session, workspace, ["agent"], actor=ctx.actor)   # agents need approval
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ecoute.store.db import Database
from ecoute.store.models import ROLES, Conversation, Reply, User, Workspace
from ecoute.store.reply_models import ReplyState
from ecoute.store.repo import Invalid, NotFound, record_audit
from ecoute.store.types import utcnow

from .jobs import await_delivery, send_later
from .sending import state_of

SETTING = "reply_approval_roles"
# The owner is never held back: someone must be able to answer when nobody else is there.
REVIEWABLE_ROLES = tuple(role for role in ROLES if role != "owner")
MAX_NOTE = 2000


def approval_roles(workspace: Workspace) -> frozenset[str]:
    """The roles whose replies wait for an approver (none by default)."""
    found = (workspace.settings or {}).get(SETTING) or []
    return frozenset(role for role in found if role in REVIEWABLE_ROLES)


def needs_approval(workspace: Workspace, role: str) -> bool:
    return role in approval_roles(workspace)


def set_approval_roles(session: Session, workspace: Workspace, roles: Iterable[str], *, actor: str) -> None:
    chosen = sorted(set(roles))
    wrong = [role for role in chosen if role not in REVIEWABLE_ROLES]
    if wrong:
        raise Invalid(
            f"reply approval: unknown or exempt role {wrong[0]!r}"
            f" (choose among {', '.join(REVIEWABLE_ROLES)})"
        )
    before = sorted(approval_roles(workspace))
    workspace.settings = {**(workspace.settings or {}), SETTING: chosen}
    record_audit(
        session,
        workspace.id,
        actor=actor,
        action="reply.approval_roles",
        target_type="workspace",
        target_id=workspace.id,
        before={"roles": before},
        after={"roles": chosen},
    )


@dataclass(frozen=True)
class PendingReply:
    reply: Reply
    state: ReplyState
    conversation: Conversation
    author: User | None


def pending_replies(session: Session, workspace_id: int, *, limit: int = 200) -> list[PendingReply]:
    """Replies waiting for an approver, oldest first."""
    rows = session.execute(
        select(Reply, ReplyState, Conversation, User)
        .join(ReplyState, ReplyState.reply_id == Reply.id)
        .join(Conversation, Conversation.id == Reply.conversation_id)
        .outerjoin(User, User.id == Reply.author_user_id)
        .where(
            Reply.workspace_id == workspace_id,
            Conversation.workspace_id == workspace_id,
            Reply.status == "pending",
        )
        .order_by(Reply.created_at, Reply.id)
        .limit(limit)
    )
    return [PendingReply(*row) for row in rows]


def get_reply(session: Session, workspace_id: int, reply_id: int) -> Reply:
    reply = session.scalar(select(Reply).where(Reply.workspace_id == workspace_id, Reply.id == reply_id))
    if reply is None:
        raise NotFound(f"no reply #{reply_id} in this workspace")
    return reply


def _waiting(session: Session, workspace_id: int, reply_id: int) -> tuple[Reply, ReplyState]:
    reply = get_reply(session, workspace_id, reply_id)
    if reply.status != "pending":
        raise Invalid(f"reply #{reply_id} is not waiting for approval (it is {reply.status})")
    return reply, state_of(session, reply)


def approve(
    db: Database,
    workspace_id: int,
    reply_id: int,
    *,
    reviewer_id: int | None,
    actor: str,
    text: str | None = None,
) -> Reply:
    """Approve a waiting reply (with ``text`` when the approver edited it), then send or record it."""
    with db.session() as session:
        reply, state = _waiting(session, workspace_id, reply_id)
        if text is not None and not text.strip():
            raise Invalid("text: an approved reply cannot be empty")
        edited = text is not None and text.strip() != reply.text
        if edited and text is not None:
            state.submitted_text = state.submitted_text or reply.text
            reply.text = text.strip()
        state.review_state, state.reviewer_id, state.reviewed_at = "approved", reviewer_id, utcnow()
        reply.status = "sending"
        record_audit(
            session,
            workspace_id,
            actor=actor,
            action="reply.approve",
            target_type="reply",
            target_id=reply.id,
            before={"text": state.submitted_text} if edited else {},
            after={"conversation_id": reply.conversation_id, "edited": edited, "text": reply.text[:500]},
        )
        send_later(session, reply, actor=actor)
    return await_delivery(db, workspace_id, reply_id)


def reject(
    session: Session, workspace_id: int, reply_id: int, *, reviewer_id: int | None, actor: str, note: str
) -> Reply:
    """Send the reply back to its author with a note saying why."""
    note = note.strip()
    if not note or len(note) > MAX_NOTE:
        raise Invalid(f"note: say why the reply is rejected (1 to {MAX_NOTE} characters)")
    reply, state = _waiting(session, workspace_id, reply_id)
    reply.status = "rejected"
    state.review_state, state.reviewer_id, state.reviewed_at = "rejected", reviewer_id, utcnow()
    state.review_note = note
    record_audit(
        session,
        workspace_id,
        actor=actor,
        action="reply.reject",
        target_type="reply",
        target_id=reply.id,
        after={"conversation_id": reply.conversation_id, "note": note[:500]},
    )
    return reply
