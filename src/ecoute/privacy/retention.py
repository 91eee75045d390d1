"""Retention: a workspace may keep mentions for N months only (setting ``retention_months`` in its
settings, off by default). ``apply_retention`` drops older mentions in every workspace that set it,
in small transactions: conversations left empty go with their replies, notes and tags; others
keep their newer mentions with their counts recomputed; authors left with nothing go too, as do
webhook payloads older than the limit. Runs daily on the task queue (``privacy.retention``), or
from ``ecoute privacy apply-retention``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from dateutil.relativedelta import relativedelta
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from ecoute.store.db import Database
from ecoute.store.models import Author, Conversation, Mention, Reply, Workspace
from ecoute.store.people import WebhookDelivery
from ecoute.store.repo import Invalid, record_audit

logger = logging.getLogger(__name__)
SETTING = "retention_months"
CHUNK = 1000
MAX_MONTHS = 1200


@dataclass
class RetentionReport:
    mentions: dict[str, int] = field(default_factory=dict)  # workspace slug → mentions dropped
    conversations: dict[str, int] = field(default_factory=dict)


def retention_months(workspace: Workspace) -> int | None:
    value = (workspace.settings or {}).get(SETTING)
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def set_retention(session: Session, workspace: Workspace, months: int | None, *, actor: str) -> None:
    """``months`` None or 0 turns retention off; audited."""
    if months is not None and not 0 <= months <= MAX_MONTHS:
        raise Invalid(f"retention: give a number of months from 1 to {MAX_MONTHS}, or 0 for off")
    before = retention_months(workspace)
    settings = dict(workspace.settings or {})
    settings.pop(SETTING, None)
    if months:
        settings[SETTING] = months
    workspace.settings = settings
    record_audit(
        session,
        workspace.id,
        actor=actor,
        action="privacy.retention",
        target_type="workspace",
        target_id=workspace.id,
        before={SETTING: before},
        after={SETTING: months or None},
    )


def apply_retention(db: Database, now: datetime) -> RetentionReport:
    """Drop, in every workspace with a retention period, the mentions older than it."""
    report = RetentionReport()
    with db.session() as session:
        plans = [(w.id, w.slug, retention_months(w)) for w in session.scalars(select(Workspace))]
    for workspace_id, slug, months in plans:
        if months is None:
            continue
        cutoff = now - relativedelta(months=months)
        mentions = conversations = 0
        while True:
            with db.session() as session:
                dropped, emptied = _drop_chunk(session, workspace_id, cutoff)
            mentions, conversations = mentions + dropped, conversations + emptied
            if dropped < CHUNK:
                break
        with db.session() as session:
            _drop_leftovers(session, workspace_id, cutoff)
            if mentions:
                record_audit(
                    session,
                    workspace_id,
                    actor="system:retention",
                    action="privacy.retention_applied",
                    after={"months": months, "mentions": mentions, "conversations": conversations},
                )
        report.mentions[slug], report.conversations[slug] = mentions, conversations
        logger.info("privacy.retention_applied", extra={"workspace_id": workspace_id, "mentions": mentions})
    return report


def _drop_chunk(session: Session, workspace_id: int, cutoff: datetime) -> tuple[int, int]:
    rows = session.execute(
        select(Mention.id, Mention.conversation_id)
        .where(Mention.workspace_id == workspace_id, Mention.created_at < cutoff)
        .limit(CHUNK)
    ).all()
    if not rows:
        return 0, 0
    ids, touched = [r[0] for r in rows], sorted({r[1] for r in rows})
    session.execute(
        update(Reply)
        .where(Reply.workspace_id == workspace_id, Reply.in_reply_to_id.in_(ids))
        .values(in_reply_to_id=None)
    )
    session.execute(delete(Mention).where(Mention.workspace_id == workspace_id, Mention.id.in_(ids)))
    return len(ids), _settle_conversations(session, workspace_id, touched)


def _settle_conversations(session: Session, workspace_id: int, conversation_ids: list[int]) -> int:
    """Drop the conversations left empty; recount the others. Returns how many were dropped."""
    remaining = dict(
        session.execute(
            select(Mention.conversation_id, func.count())
            .where(Mention.workspace_id == workspace_id, Mention.conversation_id.in_(conversation_ids))
            .group_by(Mention.conversation_id)
        ).all()
    )
    empty = [c for c in conversation_ids if c not in remaining]
    if empty:
        session.execute(
            delete(Reply).where(Reply.workspace_id == workspace_id, Reply.conversation_id.in_(empty))
        )
        session.execute(
            delete(Conversation).where(Conversation.workspace_id == workspace_id, Conversation.id.in_(empty))
        )
    for conversation_id, count in remaining.items():
        first, last, top = session.execute(
            select(func.min(Mention.created_at), func.max(Mention.created_at), func.max(Mention.id)).where(
                Mention.workspace_id == workspace_id, Mention.conversation_id == conversation_id
            )
        ).one()
        session.execute(
            update(Conversation)
            .where(Conversation.workspace_id == workspace_id, Conversation.id == conversation_id)
            .values(mention_count=count, first_mention_at=first, last_mention_at=last, top_mention_id=top)
        )
    return len(empty)


def _drop_leftovers(session: Session, workspace_id: int, cutoff: datetime) -> None:
    """Authors with no mention and no conversation left, and webhook payloads older than the limit."""
    used = select(Mention.author_id).where(
        Mention.workspace_id == workspace_id, Mention.author_id.is_not(None)
    )
    owning = select(Conversation.author_id).where(
        Conversation.workspace_id == workspace_id, Conversation.author_id.is_not(None)
    )
    session.execute(
        delete(Author).where(
            Author.workspace_id == workspace_id, Author.id.not_in(used), Author.id.not_in(owning)
        )
    )
    session.execute(
        delete(WebhookDelivery).where(
            WebhookDelivery.workspace_id == workspace_id,
            WebhookDelivery.created_at < cutoff,
            WebhookDelivery.status != "pending",
        )
    )
