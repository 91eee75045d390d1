"""Factories for the reply tests: a conversation whose message came from a given source, and
the calls that submit, approve and read replies."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

import inbox_factories
from ecoute.respond.outbox import ReplyOutcome, ReplyRequest, submit_reply
from ecoute.store.db import Database
from ecoute.store.models import Conversation, Mention, Reply, Source, Workspace
from ecoute.store.reply_models import ReplyState


def source(db: Database, workspace: Workspace, kind: str, **settings: Any) -> Source:
    with db.session() as session:
        row = Source(
            workspace_id=workspace.id,
            name=f"{kind}-{uuid.uuid4().hex[:6]}",
            platform=kind,
            kind=kind,
            settings=settings,
        )
        session.add(row)
        session.flush()
        return row


def conversation(
    db: Database, workspace: Workspace, src: Source | None = None, **fields: Any
) -> Conversation:
    """A conversation waiting for an answer; its message links to ``src`` and to its post online."""
    conv = inbox_factories.conversation(db, workspace, **fields)
    with db.session() as session:
        for mention in session.scalars(select(Mention).where(Mention.conversation_id == conv.id)):
            mention.source_id = src.id if src else None
            mention.url = f"https://example.social/@{mention.external_id}"
            mention.needs_reply = True
    return conv


def submit(
    db: Database,
    workspace: Workspace,
    conversation_id: int,
    text: str,
    *,
    role: str = "owner",
    submission: str = "",
    **fields: Any,
) -> ReplyOutcome:
    request = ReplyRequest(text=text, submission=submission or uuid.uuid4().hex, **fields)
    return submit_reply(db, workspace.id, conversation_id, request, role=role, user_id=None, actor="test")


def replies(db: Database, workspace: Workspace, conversation_id: int) -> list[tuple[Reply, ReplyState]]:
    with db.session() as session:
        rows = session.execute(
            select(Reply, ReplyState)
            .join(ReplyState, ReplyState.reply_id == Reply.id)
            .where(Reply.workspace_id == workspace.id, Reply.conversation_id == conversation_id)
            .order_by(Reply.id)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


def conversation_row(db: Database, conversation_id: int) -> Conversation:
    with db.session() as session:
        row = session.get(Conversation, conversation_id)
        assert row is not None
        return row
