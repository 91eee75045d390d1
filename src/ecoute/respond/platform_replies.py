"""Replies the brand posted on a platform itself, outside Écoute (a Google review answered from
the Business Profile, a Trustpilot review answered from Trustpilot Business), heard while
listening: each is recorded once on the conversation it answers, which is then answered (its
clock stops, the metrics count it), exactly as a reply recorded by hand from the desk.

A mention that already has a reply from the desk (sent, recorded or being sent) gets nothing
more: the reply seen on the platform is that one.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ecoute.respond.sending import THEN_STATUSES, _answer_conversation
from ecoute.sources.base import PlatformReply
from ecoute.store.models import Conversation, Mention, Reply
from ecoute.store.reply_models import ReplyState
from ecoute.store.repo import record_audit
from ecoute.store.types import utcnow

logger = logging.getLogger(__name__)
ANSWERING = ("sending", "sent", "recorded")


def record_platform_replies(
    session: Session, workspace_id: int, platform: str, answers: Iterable[PlatformReply]
) -> int:
    """Record the replies not yet known; returns how many were recorded."""
    recorded = 0
    for answer in answers:
        mention = session.scalar(
            select(Mention).where(
                Mention.workspace_id == workspace_id,
                Mention.platform == platform,
                Mention.external_id == answer.in_reply_to,
            )
        )
        if mention is None or not answer.text.strip():
            continue
        known = session.scalar(
            select(Reply.id)
            .where(
                Reply.workspace_id == workspace_id,
                Reply.in_reply_to_id == mention.id,
                Reply.status.in_(ANSWERING),
            )
            .limit(1)
        )
        if known is not None:
            continue
        _record(session, workspace_id, platform, mention, answer)
        recorded += 1
    if recorded:
        logger.info("reply.heard_on_platform", extra={"workspace_id": workspace_id, "count": recorded})
    return recorded


def _record(
    session: Session, workspace_id: int, platform: str, mention: Mention, answer: PlatformReply
) -> None:
    actor = f"platform:{platform}"
    digest = hashlib.sha256(f"{platform}\x00{answer.platform_reply_id}".encode()).hexdigest()[:40]
    reply = Reply(
        workspace_id=workspace_id,
        conversation_id=mention.conversation_id,
        in_reply_to_id=mention.id,
        author_user_id=None,
        text=answer.text.strip(),
        status="recorded",
        idempotency_key=f"platform:{digest}",
        platform_reply_id=answer.platform_reply_id[:256],
        sent_at=_when(answer.at),
    )
    session.add(reply)
    session.flush()
    session.add(ReplyState(reply_id=reply.id, workspace_id=workspace_id, mode="record", url=mention.url))
    conversation = session.get(Conversation, mention.conversation_id)
    # A conversation already resolved stays so; any other waits for the customer.
    then = "resolved" if conversation is not None and conversation.status == "resolved" else THEN_STATUSES[0]
    _answer_conversation(session, reply, then, actor=actor)
    record_audit(
        session,
        workspace_id,
        actor=actor,
        action="reply.heard_on_platform",
        target_type="reply",
        target_id=reply.id,
        after={
            "conversation_id": reply.conversation_id,
            "in_reply_to": mention.external_id,
            "platform_reply_id": reply.platform_reply_id,
        },
    )
    session.flush()


def _when(value: str | None) -> datetime:
    """When the platform says the reply was written, else now."""
    if value:
        try:
            when = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return utcnow()
        return when if when.tzinfo else when.replace(tzinfo=UTC)
    return utcnow()
