"""Tags, internal notes and label corrections through the API."""

from sqlalchemy import select

from ecoute.store.models import AuditEvent, Conversation, ConversationTag, Mention
from ecoute.store.people import Correction


def test_tags_are_listed_created_and_deleted_off_every_conversation(api, db, world):
    admin = api.as_token(world.acme.tokens["admin"])
    admin.patch(
        f"/api/v1/conversations/{world.acme.conversation_id}", json={"tags": [f"tag-{world.acme.marker}"]}
    )

    created = admin.post("/api/v1/tags", json={"name": "remboursement", "color": "#00aa00"})
    duplicate = admin.post("/api/v1/tags", json={"name": "remboursement"})
    deleted = admin.delete(f"/api/v1/tags/{world.acme.tag_id}")
    names = [t["name"] for t in admin.get("/api/v1/tags").json()["items"]]

    assert created.status_code == 201
    assert created.json()["color"] == "#00aa00"
    assert duplicate.status_code == 409
    assert deleted.status_code == 204
    assert names == [f"spare-{world.acme.marker}", "remboursement"]
    with db.session() as session:
        links = select(ConversationTag).where(ConversationTag.workspace_id == world.acme.workspace.id)
        assert session.scalars(links).all() == []
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "tag.delete")).one()
    assert event.before["conversations"] == 1


def test_tags_page_through_cursors(api, world):
    admin = api.as_token(world.acme.tokens["admin"])

    first = admin.get("/api/v1/tags?limit=1").json()
    second = admin.get(f"/api/v1/tags?limit=1&cursor={first['next_cursor']}").json()

    assert [t["id"] for t in first["items"] + second["items"]] == [world.acme.tag_id, world.acme.spare_tag_id]
    assert second["next_cursor"] is None


def test_notes_are_added_listed_oldest_first_and_audited(api, db, world):
    agent = api.as_token(world.acme.tokens["agent"])
    path = f"/api/v1/conversations/{world.acme.conversation_id}/notes"

    added = agent.post(path, json={"text": "Client rappelé"})
    listed = agent.get(path).json()["items"]

    assert added.status_code == 201
    assert added.json()["author"] is None  # written by a token, not a person
    assert [n["text"] for n in listed] == [f"Note {world.acme.marker}", "Client rappelé"]
    with db.session() as session:
        event = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.workspace_id == world.acme.workspace.id, AuditEvent.action == "note.add")
            .order_by(AuditEvent.id.desc())
        ).first()
    assert (event.target_id, event.after["text"]) == (str(world.acme.conversation_id), "Client rappelé")
    assert event.actor.startswith("token:")


def test_a_correction_changes_the_shown_label_is_stored_and_audited(api, db, world):
    agent = api.as_token(world.acme.tokens["agent"])
    with db.session() as session:
        conversation = session.get(Conversation, world.acme.conversation_id)
        conversation.top_mention_id, conversation.intent = world.acme.mention_id, "complaint"

    created = agent.post(
        "/api/v1/corrections",
        json={"mention_id": world.acme.mention_id, "field": "intent", "value": "question"},
    )
    shown = agent.get(f"/api/v1/mentions/{world.acme.mention_id}").json()
    listed = agent.get(f"/api/v1/corrections?mention={world.acme.mention_id}").json()["items"]

    assert created.status_code == 201
    assert (created.json()["old_value"], created.json()["new_value"]) == ("complaint", "question")
    assert shown["intent"] == "question"
    assert [c["id"] for c in listed] == [created.json()["id"]]
    with db.session() as session:
        assert session.get(Mention, world.acme.mention_id).intent == "question"
        assert session.get(Conversation, world.acme.conversation_id).intent == "question"
        stored = session.scalars(
            select(Correction).where(Correction.mention_id == world.acme.mention_id)
        ).one()
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "mention.correct")).all()[-1]
    assert (stored.field, stored.old_value, stored.new_value) == ("intent", "complaint", "question")
    assert (event.before, event.after) == ({"intent": "complaint"}, {"intent": "question"})


def test_a_correction_to_an_unknown_label_is_a_422(api, world):
    agent = api.as_token(world.acme.tokens["agent"])

    response = agent.post(
        "/api/v1/corrections",
        json={"mention_id": world.acme.mention_id, "field": "sentiment", "value": "furious"},
    )

    assert response.status_code == 422
    assert "use one of negative, neutral, positive" in response.json()["detail"]


def test_members_are_listed_for_assignment(api, world):
    viewer = api.as_token(world.acme.tokens["viewer"])

    items = viewer.get("/api/v1/members").json()["items"]

    assert [(m["id"], m["role"]) for m in items] == [(world.acme.member.id, "agent")]
