"""Conversations through the API: the inbox list with its filters, one thread, triage changes."""

from sqlalchemy import select

import inbox_factories
from ecoute.store.models import AuditEvent, Conversation


def test_the_list_is_by_priority_with_reasons_and_pages_through_cursors(api, db, world, workspace):
    agent = api.as_token(world.acme.tokens["agent"])
    for n in range(3):
        inbox_factories.conversation(db, workspace, priority=90 - n, reasons=[f"raison {n}"])

    first = agent.get("/api/v1/conversations?limit=2").json()
    second = agent.get(f"/api/v1/conversations?limit=2&cursor={first['next_cursor']}").json()

    assert [c["priority"] for c in first["items"] + second["items"]] == [90, 89, 88, 80]
    assert first["items"][0]["reasons"] == ["raison 0"]
    assert second["next_cursor"] is None


def test_filters_are_the_inboxs(api, db, world, workspace):
    agent = api.as_token(world.acme.tokens["agent"])
    inbox_factories.conversation(db, workspace, text="Merci pour tout", sentiment="positive", intent="praise")

    praise = agent.get("/api/v1/conversations?intent=praise").json()["items"]
    found = agent.get("/api/v1/conversations?q=merci").json()["items"]
    resolved = agent.get("/api/v1/conversations?status=resolved").json()["items"]

    assert [c["top_mention"]["text"] for c in praise] == ["Merci pour tout"]
    assert [c["top_mention"]["text"] for c in found] == ["Merci pour tout"]
    assert resolved == []


def test_one_conversation_has_its_whole_thread_notes_and_author_history(api, world):
    viewer = api.as_token(world.acme.tokens["viewer"])

    body = viewer.get(f"/api/v1/conversations/{world.acme.conversation_id}").json()

    assert [m["id"] for m in body["mentions"]] == [world.acme.mention_id, world.acme.reply_mention_id]
    assert [n["text"] for n in body["notes"]] == [f"Note {world.acme.marker}"]
    assert body["tags"] == []
    assert body["author_history"] == {"conversations": 1, "mentions": 2}


def test_an_agent_assigns_tags_and_resolves_and_it_is_audited(api, db, world, workspace):
    agent = api.as_token(world.acme.tokens["agent"])
    path = f"/api/v1/conversations/{world.acme.conversation_id}"
    change = {"status": "resolved", "assignee_id": world.acme.member.id, "tags": [f"tag-{world.acme.marker}"]}

    body = agent.patch(path, json=change).json()

    assert body["status"] == "resolved"
    assert body["assignee"] == {"id": world.acme.member.id, "name": world.acme.member.name}
    assert [t["name"] for t in body["tags"]] == [f"tag-{world.acme.marker}"]
    with db.session() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "conversation.update")).one()
    assert event.actor.startswith("token:")
    assert event.before == {"status": "new", "assignee_id": None, "tags": []}
    assert event.after == {
        "status": "resolved",
        "assignee_id": world.acme.member.id,
        "tags": [f"tag-{world.acme.marker}"],
    }


def test_null_unassigns_and_absent_fields_are_kept(api, db, world):
    agent = api.as_token(world.acme.tokens["agent"])
    path = f"/api/v1/conversations/{world.acme.conversation_id}"
    agent.patch(path, json={"assignee_id": world.acme.member.id})

    body = agent.patch(path, json={"assignee_id": None}).json()

    assert body["assignee"] is None
    assert body["status"] == "new"


def test_a_viewer_may_not_change_anything_and_nothing_changes(api, db, world):
    viewer = api.as_token(world.acme.tokens["viewer"])

    response = viewer.patch(f"/api/v1/conversations/{world.acme.conversation_id}", json={"status": "open"})

    assert response.status_code == 403
    assert response.json() == {"detail": "your role does not allow changing: status"}
    with db.session() as session:
        assert session.get(Conversation, world.acme.conversation_id).status == "new"


def test_assigning_someone_outside_the_workspace_or_an_unknown_tag_is_a_422(api, world):
    agent = api.as_token(world.acme.tokens["agent"])
    path = f"/api/v1/conversations/{world.acme.conversation_id}"

    outsider = agent.patch(path, json={"assignee_id": world.globex.member.id})
    theirs = agent.patch(path, json={"tags": [f"tag-{world.globex.marker}"]})
    empty = agent.patch(path, json={})

    assert outsider.status_code == 422
    assert "no member of this workspace" in outsider.json()["detail"]
    assert theirs.status_code == 422
    assert "does not exist" in theirs.json()["detail"]
    assert empty.status_code == 422
