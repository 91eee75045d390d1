"""The sidebar's counts stop at a cap and say so."""

from sqlalchemy import event

import inbox_factories
from ecoute.inbox import counts
from ecoute.inbox.counts import ViewCounts, view_counts
from ecoute.store.models import Conversation


def test_counts_past_their_cap_read_as_many():
    counts = ViewCounts(todo=1000, needs_reply=100, mine=3, unassigned=99)

    shown = {view: counts.shown(view) for view in ("todo", "needs_reply", "mine", "unassigned", "resolved")}

    assert shown == {"todo": "999+", "needs_reply": "99+", "mine": "3", "unassigned": "99", "resolved": None}


def _world(db, workspace, other_workspace):
    from ecoute.auth import users

    with db.session() as session:
        agent = users.create_user(session, "agent@example.com", "a-long-password-1")
        other = users.create_user(session, "other@example.com", "a-long-password-2")
        agent_id, other_id = agent.id, other.id

    def make(db, workspace, *, needs_reply=True, **fields):
        made = inbox_factories.conversation(db, workspace, **fields)
        if not needs_reply:
            with db.session() as session:
                session.get(Conversation, made.id).needs_reply = False

    make(db, workspace, status="new")  # to do, needs a reply, unassigned
    make(db, workspace, status="open", assignee_id=agent_id)
    make(db, workspace, status="pending", assignee_id=agent_id, needs_reply=False)
    make(db, workspace, status="open", assignee_id=other_id, needs_reply=False)
    make(db, workspace, status="resolved", assignee_id=agent_id)  # in no counted view
    make(db, workspace, status="resolved")
    for _ in range(3):  # another workspace's conversations count nowhere here
        make(db, other_workspace, status="new", assignee_id=agent_id)
    return agent_id


def test_each_view_counts_the_workspace_own_conversations_in_one_statement(db, workspace, other_workspace):
    agent_id = _world(db, workspace, other_workspace)
    statements = []
    event.listen(db.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))

    with db.session() as session:
        mine = view_counts(session, workspace.id, agent_id)
        nobody = view_counts(session, workspace.id, None)
        there = view_counts(session, other_workspace.id, agent_id)

    assert mine == ViewCounts(todo=4, needs_reply=2, mine=2, unassigned=1)
    assert nobody == ViewCounts(todo=4, needs_reply=2, mine=0, unassigned=1)
    assert there == ViewCounts(todo=3, needs_reply=3, mine=3, unassigned=0)
    assert len(statements) == 3


def test_counting_stops_at_the_cap(db, workspace, other_workspace, monkeypatch):
    agent_id = _world(db, workspace, other_workspace)
    monkeypatch.setattr(counts, "CAP", 2)
    monkeypatch.setattr(counts, "TODO_CAP", 3)

    with db.session() as session:
        found = view_counts(session, workspace.id, agent_id)

    assert found == ViewCounts(todo=3, needs_reply=2, mine=2, unassigned=1)
    assert (found.shown("todo"), found.shown("mine"), found.shown("unassigned")) == ("2+", "1+", "1")
