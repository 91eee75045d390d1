"""Retention: mentions older than a workspace's period are dropped (off by default), conversations
left empty go with their replies and notes, the others are recounted, other workspaces untouched."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

import inbox_factories
from ecoute.jobs import defer
from ecoute.jobs.registry import periodics
from ecoute.privacy.retention import apply_retention, retention_months, set_retention
from ecoute.store.models import AuditEvent, Author, Conversation, Mention, Reply, Workspace
from ecoute.store.people import Note
from ecoute.store.repo import Invalid
from factories import BASE_TIME

NOW = BASE_TIME + timedelta(days=400)


def _count(db, model, workspace) -> int:
    with db.session() as session:
        return session.scalar(
            select(func.count()).select_from(model).where(model.workspace_id == workspace.id)
        )


def _retain(db, workspace, months) -> None:
    with db.session() as session:
        set_retention(session, session.get(Workspace, workspace.id), months, actor="test")


def _old_and_new(db, workspace):
    """An old conversation (13 months before NOW) with a reply and a note, and a conversation that
    started long ago but goes on until yesterday."""
    old = inbox_factories.conversation(db, workspace, handle="ancien")
    mixed = inbox_factories.conversation(db, workspace, handle="fidele", replies=["encore moi"])
    with db.session() as session:
        session.add(Reply(workspace_id=workspace.id, conversation_id=old.id, text="ok", idempotency_key="r1"))
        session.add(Note(workspace_id=workspace.id, conversation_id=old.id, text="note"))
        recent = session.scalar(
            select(Mention).where(Mention.conversation_id == mixed.id, Mention.text == "encore moi")
        )
        recent.created_at = NOW - timedelta(days=1)
    return old, mixed


def test_retention_is_off_by_default_and_drops_nothing(db, workspace):
    _old_and_new(db, workspace)

    report = apply_retention(db, NOW)

    assert report.mentions == {}
    assert _count(db, Mention, workspace) == 3


def test_mentions_older_than_the_period_go_and_empty_conversations_with_them(db, workspace, other_workspace):
    old, mixed = _old_and_new(db, workspace)
    inbox_factories.conversation(db, other_workspace)
    _retain(db, workspace, 12)

    report = apply_retention(db, NOW)
    with db.session() as session:
        conversations = {
            c.id: c
            for c in session.scalars(select(Conversation).where(Conversation.workspace_id == workspace.id))
        }
        handles = set(session.scalars(select(Author.handle).where(Author.workspace_id == workspace.id)))
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "privacy.retention_applied"))

    assert report.mentions == {"acme": 2} and report.conversations == {"acme": 1}
    assert list(conversations) == [mixed.id]
    assert conversations[mixed.id].mention_count == 1
    assert conversations[mixed.id].first_mention_at == NOW - timedelta(days=1)
    assert _count(db, Reply, workspace) == 0 and _count(db, Note, workspace) == 0
    assert handles == {"fidele"}
    assert _count(db, Mention, other_workspace) == 1
    assert event.after == {"months": 12, "mentions": 2, "conversations": 1}


def test_the_setting_is_audited_and_checked(db, workspace):
    _retain(db, workspace, 24)
    _retain(db, workspace, 0)
    with db.session() as session:
        row = session.get(Workspace, workspace.id)
        events = [
            e.after
            for e in session.scalars(select(AuditEvent).where(AuditEvent.action == "privacy.retention"))
        ]
        with pytest.raises(Invalid, match="from 1 to 1200"):
            set_retention(session, row, 5000, actor="test")

    assert retention_months(row) is None
    assert events == [{"retention_months": 24}, {"retention_months": None}]


def test_the_task_queue_applies_retention_daily(db, workspace):
    inbox_factories.conversation(db, workspace)  # created at BASE_TIME: years before today
    _retain(db, workspace, 1)
    daily = {p.name: p.every for p in periodics()}

    with db.session() as session:  # as the scheduler defers it (the tests' queue runs it at once)
        defer(session, "periodic:privacy.retention", {}, key="privacy.retention:test")

    assert daily["privacy.retention"] == timedelta(days=1)
    assert daily["auth.forget_failures"] == timedelta(days=1)
    assert _count(db, Mention, workspace) == 0
