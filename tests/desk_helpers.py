"""Helpers for the inbox and conversation page tests: read back what a form changed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ecoute.inbox.tags import create_tag
from ecoute.store.db import Database
from ecoute.store.models import AuditEvent, Conversation, Mention, Tag
from ecoute.store.people import Correction, Note


def conversation(db: Database, conversation_id: int) -> Conversation:
    with db.session() as session:
        found = session.get(Conversation, conversation_id)
        assert found is not None
        return found


def mention_of(db: Database, conversation_id: int) -> Mention:
    with db.session() as session:
        return session.scalars(
            select(Mention).where(Mention.conversation_id == conversation_id).order_by(Mention.id)
        ).first()


def audit(db: Database, action: str) -> list[AuditEvent]:
    with db.session() as session:
        return list(
            session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))
        )


def notes(db: Database, conversation_id: int) -> list[str]:
    with db.session() as session:
        return list(session.scalars(select(Note.text).where(Note.conversation_id == conversation_id)))


def corrections(db: Database) -> list[tuple[int, str, str | None, str]]:
    with db.session() as session:
        rows = session.execute(
            select(Correction.mention_id, Correction.field, Correction.old_value, Correction.new_value)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


def tag(db: Database, workspace_id: int, name: str) -> Tag:
    with db.session() as session:
        return create_tag(session, workspace_id, name, None, actor="test")


def tag_names(db: Database, conversation_id: int) -> list[str]:
    from ecoute.inbox.batch import conversation_tags

    with db.session() as session:
        row = session.get(Conversation, conversation_id)
        assert row is not None
        return conversation_tags(session, row.workspace_id, conversation_id)


def form(**fields: Any) -> dict[str, Any]:
    return fields


def person(app: Any, db: Database, workspace_id: int, name: str, role: str = "agent") -> Any:
    """A client logged in as a new member called ``name`` (a real server-side session)."""
    from fastapi.testclient import TestClient

    from ecoute.auth import sessions, users

    with db.session() as session:
        user = users.create_user(session, f"{name.lower()}@acme.example", None, name=name)
        users.add_member(session, workspace_id, user.id, role)
        cookie, _ = sessions.create_session(session, user)
    client = TestClient(app, base_url="http://testserver", follow_redirects=False)
    client.cookies.set("ecoute_session", cookie)
    client.user_id = user.id  # type: ignore[attr-defined]
    return client
