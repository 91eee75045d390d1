"""Factories for triage data: conversations with their mentions, authors and analysis, and users."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

from ecoute.auth import users
from ecoute.store.db import Database
from ecoute.store.models import Author, Conversation, Mention, User, Workspace
from factories import BASE_TIME

PASSWORD = "correct horse battery"
_counter = itertools.count(1)


def user(db: Database, workspace: Workspace | None, role: str = "agent", email: str | None = None) -> User:
    """A user (password ``PASSWORD``), member of ``workspace`` with ``role`` when one is given."""
    with db.session() as session:
        created = users.create_user(session, email or f"user{next(_counter)}@example.org", PASSWORD)
        if workspace is not None:
            users.add_member(session, workspace.id, created.id, role)
        return created


def conversation(
    db: Database,
    workspace: Workspace,
    *,
    priority: int = 50,
    text: str = "Mon colis n'est jamais arrivé",
    minutes: int = 0,
    status: str = "new",
    sentiment: str | None = "negative",
    intent: str | None = "complaint",
    lang: str | None = "fr",
    reasons: list[str] | None = None,
    handle: str | None = None,
    followers: int | None = 1200,
    replies: list[str] = (),  # type: ignore[assignment]
    **fields: Any,
) -> Conversation:
    """A conversation whose first mention carries the analysis; ``replies`` add later mentions."""
    n = next(_counter)
    at = BASE_TIME + timedelta(minutes=minutes)
    with db.session() as session:
        author = Author(
            workspace_id=workspace.id, platform="x", handle=handle or f"client{n}", followers=followers
        )
        session.add(author)
        session.flush()
        conv = Conversation(
            workspace_id=workspace.id,
            key=f"x:test:{n}",
            platform="x",
            author_id=author.id,
            status=status,
            priority=priority,
            needs_reply=True,
            mention_count=1 + len(replies),
            first_mention_at=at,
            last_mention_at=at + timedelta(minutes=len(replies)),
            **fields,
        )
        session.add(conv)
        session.flush()
        texts = [text, *replies]
        mentions = []
        for index, body in enumerate(texts):
            mentions.append(
                Mention(
                    workspace_id=workspace.id,
                    conversation_id=conv.id,
                    author_id=author.id,
                    platform="x",
                    external_id=f"{n}-{index}",
                    text=body,
                    kind="post" if index == 0 else "reply",
                    created_at=at + timedelta(minutes=index),
                    raw={},
                    lang=lang,
                    sentiment=sentiment if index == 0 else "neutral",
                    intent=intent if index == 0 else "other",
                    priority=priority if index == 0 else 0,
                    reasons=reasons if reasons is not None and index == 0 else [],
                    analysis={},
                )
            )
        session.add_all(mentions)
        session.flush()
        # The summary the ingest path keeps: the labels of the top mention (the first one here).
        conv.top_mention_id, conv.sentiment, conv.intent, conv.lang = mentions[0].id, sentiment, intent, lang
        return conv
