"""An agent corrects a mention's sentiment or intent: the correction is stored (``ecoute train``
learns from the ``corrections`` table), the label shown everywhere becomes the corrected one, and
the change is audited. The model's first answer stays in the correction's ``old_value``.
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from ecoute.inbox.moderation import get_mention
from ecoute.store.models import Conversation, User
from ecoute.store.people import Correction
from ecoute.store.repo import Invalid, record_audit

logger = logging.getLogger(__name__)
# The analysis engine's label sets (ecoute.analysis.types): what a correction may set.
SENTIMENTS = ("negative", "neutral", "positive")
INTENTS = ("complaint", "question", "praise", "other")
LABELS: dict[str, tuple[str, ...]] = {"sentiment": SENTIMENTS, "intent": INTENTS}


def correct_label(
    session: Session,
    workspace_id: int,
    mention_id: int,
    field: str,
    value: str,
    *,
    user_id: int | None,
    actor: str,
) -> Correction:
    if field not in LABELS:
        raise Invalid(f"field {field!r}: use one of {', '.join(LABELS)}")
    if value not in LABELS[field]:
        raise Invalid(f"{field} {value!r}: use one of {', '.join(LABELS[field])}")
    mention = get_mention(session, workspace_id, mention_id)
    old = getattr(mention, field)
    correction = Correction(
        workspace_id=workspace_id,
        mention_id=mention.id,
        user_id=user_id,
        field=field,
        old_value=old,
        new_value=value,
    )
    session.add(correction)
    setattr(mention, field, value)
    _follow_on_conversation(session, workspace_id, mention.conversation_id, mention.id, field, value)
    session.flush()
    record_audit(
        session,
        workspace_id,
        actor=actor,
        action="mention.correct",
        target_type="mention",
        target_id=mention.id,
        before={field: old},
        after={field: value},
    )
    logger.info(
        "label.corrected",
        extra={"workspace_id": workspace_id, "mention_id": mention.id, "field": field},
    )
    return correction


def _follow_on_conversation(
    session: Session, workspace_id: int, conversation_id: int, mention_id: int, field: str, value: str
) -> None:
    """The conversation's summary labels are those of its top mention: keep them in step."""
    conversation = session.scalar(
        select(Conversation).where(
            Conversation.workspace_id == workspace_id, Conversation.id == conversation_id
        )
    )
    if conversation is not None and conversation.top_mention_id == mention_id:
        setattr(conversation, field, value)


def list_corrections(
    session: Session,
    workspace_id: int,
    *,
    mention_id: int | None = None,
    before_id: int | None = None,
    limit: int = 50,
) -> list[tuple[Correction, User | None]]:
    """Newest first; ``before_id`` continues a previous page."""
    query = (
        select(Correction, User)
        .outerjoin(User, User.id == Correction.user_id)
        .where(Correction.workspace_id == workspace_id)
    )
    if mention_id is not None:
        query = query.where(Correction.mention_id == mention_id)
    if before_id is not None:
        query = query.where(Correction.id < before_id)
    rows = session.execute(query.order_by(Correction.id.desc()).limit(limit))
    return [(correction, user) for correction, user in rows]
