"""Reading and writing a workspace's saved replies and knowledge snippets (workspace first, always)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ecoute.store.models import Reply
from ecoute.store.respond_models import KnowledgeSnippet, SavedReply

from .snippets import variables_in
from .types import KnowledgeItem


def save_reply(
    session: Session,
    workspace_id: int,
    *,
    lang: str,
    name: str,
    body: str,
    intent: str | None = None,
    created_by_id: int | None = None,
) -> SavedReply:
    """Store a saved reply after checking its variables (``SnippetError`` names a bad one)."""
    variables_in(body)
    reply = SavedReply(
        workspace_id=workspace_id, lang=lang, name=name, body=body, intent=intent, created_by_id=created_by_id
    )
    session.add(reply)
    session.flush()
    return reply


def saved_replies(session: Session, workspace_id: int, *, lang: str | None = None) -> list[SavedReply]:
    query = select(SavedReply).where(SavedReply.workspace_id == workspace_id)
    if lang is not None:
        query = query.where(SavedReply.lang == lang)
    return list(session.scalars(query.order_by(SavedReply.name)))


def knowledge(session: Session, workspace_id: int, *, lang: str | None = None) -> list[KnowledgeItem]:
    """The workspace's knowledge snippets in ``lang`` (and those for any language), ready to match."""
    query = select(KnowledgeSnippet).where(KnowledgeSnippet.workspace_id == workspace_id)
    if lang is not None:
        query = query.where(or_(KnowledgeSnippet.lang == lang, KnowledgeSnippet.lang.is_(None)))
    return [
        KnowledgeItem(
            title=row.title, answer=row.answer, lang=row.lang, keywords=tuple(row.keywords), id=row.id
        )
        for row in session.scalars(query.order_by(KnowledgeSnippet.id))
    ]


def recent_reply_texts(session: Session, workspace_id: int, *, limit: int = 50) -> Sequence[str]:
    """What the team sent lately, newest first: the drafts avoid it and the variety check compares."""
    query = (
        select(Reply.text)
        .where(Reply.workspace_id == workspace_id, Reply.status == "sent")
        .order_by(Reply.sent_at.desc(), Reply.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))
