"""Delivering a reply: through the source's platform API when it has one (``ReplySender``), else
recorded with the link for the agent to answer on the platform by hand.

Sending is idempotent. Every reply carries a key derived from its conversation and the composer's
submission (``idempotency_key``), unique per workspace: a retry finds the reply it already made.
The attempt is committed (status ``sending``) *before* the platform is called and the platform's
id after, so a crash in between leaves a ``sending`` reply that the next try re-sends with the
same key — which the platform (or the sender, by looking first) uses to post only once.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ecoute.sources import registry
from ecoute.sources.base import ReplySender, ReplyTarget, SentReply, SourceError
from ecoute.store.db import Database
from ecoute.store.models import Author, Conversation, Mention, Reply, Source
from ecoute.store.reply_models import ReplyState
from ecoute.store.repo import NotFound, record_audit
from ecoute.store.types import utcnow

logger = logging.getLogger(__name__)
THEN_STATUSES = ("pending", "resolved")


def idempotency_key(conversation_id: int, submission: str) -> str:
    """The reply's key: the same conversation and composer submission always give the same one."""
    digest = hashlib.sha256(f"conversation:{conversation_id}:submission:{submission}".encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class Delivery:
    """How a reply goes out: the sender (None: recorded by hand), the mention, its source's settings."""

    sender: ReplySender | None
    target: ReplyTarget
    settings: dict[str, object]


def delivery_for(session: Session, workspace_id: int, mention: Mention) -> Delivery:
    """Send through the mention's source when it can post replies; otherwise record them."""
    source = session.get(Source, mention.source_id) if mention.source_id else None
    sender: ReplySender | None = None
    if source is not None and source.workspace_id == workspace_id:
        found = registry.available().get(source.kind)
        instance = found() if found is not None else None
        sender = instance if isinstance(instance, ReplySender) else None
    author = session.get(Author, mention.author_id) if mention.author_id else None
    target = ReplyTarget(
        platform=mention.platform,
        external_id=mention.external_id,
        url=mention.url,
        author_handle=author.handle if author else None,
        thread_id=mention.thread_external_id,
    )
    return Delivery(sender, target, dict(source.settings) if source and sender else {})


def state_of(session: Session, reply: Reply) -> ReplyState:
    state = session.get(ReplyState, reply.id)
    if state is None:  # a reply written before reply states existed
        state = ReplyState(reply_id=reply.id, workspace_id=reply.workspace_id)
        session.add(state)
        session.flush()
    return state


def deliver(db: Database, workspace_id: int, reply_id: int, *, actor: str) -> Reply:
    """Send or record a stored reply, in three steps: the attempt is committed, the platform is
    called outside any transaction, its answer is committed.

    Raises ``SourceError`` when the platform refuses (the reply is then ``failed``; a retry with
    the same key tries again).
    """
    with db.session() as session:
        reply = _reply(session, workspace_id, reply_id)
        if reply.status in ("sent", "recorded"):
            return reply
        mention = _mention(session, reply)
        delivery = delivery_for(session, workspace_id, mention)
        state = state_of(session, reply)
        if delivery.sender is None:
            state.mode, state.url = "record", mention.url
            _done(session, reply, state, "recorded", None, actor=actor)
            return reply
        state.mode = "send"
        state.attempts += 1
        state.attempted_at = utcnow()
        reply.status = "sending"
        text, key = reply.text, reply.idempotency_key
    # The attempt is on disk before the platform hears of it: a crash from here on leaves a
    # "sending" reply that a retry re-sends with the same key.
    try:
        sent = delivery.sender.send_reply(delivery.settings, delivery.target, text, key)
    except SourceError as error:
        with db.session() as session:
            reply = _reply(session, workspace_id, reply_id)
            _failed(session, reply, state_of(session, reply), error, actor=actor)
        raise
    with db.session() as session:
        reply = _reply(session, workspace_id, reply_id)
        _done(session, reply, state_of(session, reply), "sent", sent, actor=actor)
        return reply


def _reply(session: Session, workspace_id: int, reply_id: int) -> Reply:
    reply = session.scalar(select(Reply).where(Reply.workspace_id == workspace_id, Reply.id == reply_id))
    if reply is None:
        raise NotFound(f"no reply #{reply_id} in this workspace")
    return reply


def _mention(session: Session, reply: Reply) -> Mention:
    mention = session.get(Mention, reply.in_reply_to_id) if reply.in_reply_to_id else None
    if mention is None or mention.workspace_id != reply.workspace_id:
        raise NotFound(f"reply #{reply.id} answers no mention of this workspace")
    return mention


def _done(
    session: Session, reply: Reply, state: ReplyState, status: str, sent: SentReply | None, *, actor: str
) -> None:
    reply.status = status
    reply.sent_at = utcnow()
    if sent is not None:
        reply.platform_reply_id = sent.platform_reply_id
        state.url = sent.url or state.url
    state.last_error = None
    _answer_conversation(session, reply, state.then_status, actor=actor)
    record_audit(
        session,
        reply.workspace_id,
        actor=actor,
        action=f"reply.{'send' if status == 'sent' else 'record'}",
        target_type="reply",
        target_id=reply.id,
        after={
            "conversation_id": reply.conversation_id,
            "status": status,
            "platform_reply_id": reply.platform_reply_id,
            "url": state.url,
        },
    )
    session.flush()
    logger.info("reply.delivered", extra={"reply_id": reply.id, "status": status})


def _failed(session: Session, reply: Reply, state: ReplyState, error: SourceError, *, actor: str) -> None:
    reply.status = "failed"
    state.last_error = str(error)[:2000]
    record_audit(
        session,
        reply.workspace_id,
        actor=actor,
        action="reply.fail",
        target_type="reply",
        target_id=reply.id,
        after={"error": state.last_error, "retriable": error.retriable, "attempts": state.attempts},
    )
    logger.info("reply.failed", extra={"reply_id": reply.id, "retriable": error.retriable})


def _answer_conversation(session: Session, reply: Reply, then_status: str, *, actor: str) -> None:
    """An answered conversation no longer needs a reply: its clock stops and metrics count it."""
    conversation = session.scalar(
        select(Conversation).where(
            Conversation.workspace_id == reply.workspace_id, Conversation.id == reply.conversation_id
        )
    )
    if conversation is None:
        raise NotFound(f"no conversation #{reply.conversation_id} in this workspace")
    before = {"status": conversation.status, "needs_reply": conversation.needs_reply}
    conversation.status = then_status if then_status in THEN_STATUSES else "pending"
    conversation.needs_reply = False
    conversation.updated_at = utcnow()
    after = {"status": conversation.status, "needs_reply": False}
    if before != after:
        record_audit(
            session,
            reply.workspace_id,
            actor=actor,
            action="conversation.answered",
            target_type="conversation",
            target_id=conversation.id,
            before=before,
            after={**after, "reply_id": reply.id},
        )
