"""What a transaction announces, over SQLite and PostgreSQL (with the in-memory bus): a colleague's
change with its conversation, once per commit; nothing for work that pages do not show."""

from __future__ import annotations

import pytest

import inbox_factories
from ecoute.inbox.triage import ConversationChanges, update_conversation
from ecoute.inbox.views import create_view
from ecoute.live import signals  # noqa: F401 - every Écoute process imports it (web, workers, commands)
from ecoute.live.buses import BusTarget, bus_for
from ecoute.live.events import CHANGED, LiveEvent
from ecoute.settings import Settings
from live_helpers import hear


@pytest.fixture
def hub(db, monkeypatch):
    monkeypatch.setenv("ECOUTE_EVENTS_URL", "memory")
    url = db.engine.url.render_as_string(hide_password=False)
    return bus_for(BusTarget.of(Settings(), url)).listen()


def test_assigning_and_resolving_announce_the_conversation_once(db, workspace, hub):
    conversation = inbox_factories.conversation(db, workspace)
    agent = inbox_factories.user(db, workspace, "agent")

    def change() -> None:
        with db.session() as session:
            changes = ConversationChanges(status="resolved", assignee_id=agent.id)
            update_conversation(session, workspace.id, conversation.id, changes, actor="test")

    assert hear(hub, workspace.id, change) == LiveEvent(workspace.id, CHANGED, conversation.id)


def test_a_saved_view_is_not_news_for_the_desk(db, workspace, hub):
    conversation = inbox_factories.conversation(db, workspace)
    owner = inbox_factories.user(db, workspace, "owner")

    def save_a_view_then_change() -> None:
        with db.session() as session:
            create_view(
                session, workspace.id, user_id=owner.id, name="Mine", filters={}, shared=False, actor="t"
            )
        with db.session() as session:
            changes = ConversationChanges(needs_reply=False)
            update_conversation(session, workspace.id, conversation.id, changes, actor="test")

    # The view's commit came first: had it been announced, it would be heard first.
    assert hear(hub, workspace.id, save_a_view_then_change) == LiveEvent(
        workspace.id, CHANGED, conversation.id
    )
