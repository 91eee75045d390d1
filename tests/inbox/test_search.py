"""Search as an inbox filter: both plans (few matches read first, many matches probed) give the
same conversations, in inbox order, within the workspace, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

import inbox_factories
from ecoute.inbox import queries, search
from ecoute.inbox.queries import InboxFilters

SECRET = "test-secret"


def found(db, workspace, **filters) -> list[int]:
    with db.session() as session:
        page = queries.list_conversations(
            session, workspace.id, InboxFilters(**filters), cursor=None, limit=50, secret=SECRET
        )
    return [row.conversation.id for row in page.rows]


@pytest.fixture
def threads(db, workspace, other_workspace):
    low = inbox_factories.conversation(db, workspace, text="Colis abîmé", priority=20)
    high = inbox_factories.conversation(
        db, workspace, text="Rien", replies=["Mon colis est perdu"], priority=90
    )
    closed = inbox_factories.conversation(
        db, workspace, text="colis reçu, merci", priority=50, status="resolved"
    )
    inbox_factories.conversation(db, workspace, text="Vélo parfait", priority=99)
    inbox_factories.conversation(db, other_workspace, text="Colis de Globex", priority=95)
    return high, closed, low


@pytest.mark.parametrize("few", [10_000, 1], ids=["few-matches-plan", "probe-plan"])
def test_both_plans_find_the_same_conversations_in_inbox_order(db, workspace, threads, few, monkeypatch):
    monkeypatch.setattr(search, "FEW", {"sqlite": few, "postgresql": few})
    high, closed, low = threads

    assert found(db, workspace, q="colis") == [high.id, closed.id, low.id]
    assert found(db, workspace, q="colis", status=("new",)) == [high.id, low.id]
    assert found(db, workspace, q="introuvable") == []
    assert found(db, workspace, q="!!!") == []


def test_the_plan_follows_how_many_mentions_match(db, workspace, threads, monkeypatch):
    monkeypatch.setattr(search, "FEW", {"sqlite": 3, "postgresql": 3})
    with db.session() as session:
        rare = search.plan_search(session, workspace.id, "abîmé")
        common = search.plan_search(session, workspace.id, "colis")

    assert (rare.conversation_ids, rare.probe) == ([threads[2].id], None)
    assert (common.conversation_ids, common.probe is not None) == (None, True)


def test_label_filters_read_the_conversation_summary(db, workspace):
    complaint = inbox_factories.conversation(
        db, workspace, sentiment="negative", intent="complaint", lang="fr"
    )
    inbox_factories.conversation(db, workspace, sentiment="positive", intent="praise", lang="en")

    assert found(db, workspace, sentiment="negative", intent="complaint", lang="fr") == [complaint.id]
    assert found(db, workspace, sentiment="neutral") == []  # replies are neutral, the summary is not
