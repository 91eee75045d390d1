"""Triage from the conversation page: assign, change the status, tag, write notes. Each change is
audited with its before and after; bad input is a clear 4xx; another workspace's ids are 404."""

import desk_helpers as desk
import inbox_factories
from web_helpers import post_form


def test_assigning_a_conversation_is_audited_and_shown(owner, db, workspace):
    marie = inbox_factories.user(db, workspace, "agent", email="marie@acme.example")
    conv = inbox_factories.conversation(db, workspace)

    response = post_form(owner, f"/w/acme/c/{conv.id}/assign", {"assignee": str(marie.id)})
    page = owner.get(response.headers["location"], headers={"accept-language": "en"}).text

    assert response.status_code == 303
    assert desk.conversation(db, conv.id).assignee_id == marie.id
    event = desk.audit(db, "conversation.update")[-1]
    assert (event.before, event.after) == ({"assignee_id": None}, {"assignee_id": marie.id})
    assert f"Assigned to {marie.name}" in page


def test_me_assigns_to_oneself_and_none_unassigns(login_as, db, workspace):
    agent = login_as("agent")
    conv = inbox_factories.conversation(db, workspace)

    post_form(agent, f"/w/acme/c/{conv.id}/assign", {"assignee": "me"})
    mine = desk.conversation(db, conv.id).assignee_id
    post_form(agent, f"/w/acme/c/{conv.id}/assign", {"assignee": "none"})

    assert mine is not None
    assert desk.conversation(db, conv.id).assignee_id is None


def test_assigning_to_someone_outside_the_workspace_is_refused(owner, db, workspace, other_workspace):
    stranger = inbox_factories.user(db, other_workspace, "agent")
    conv = inbox_factories.conversation(db, workspace)

    response = post_form(owner, f"/w/acme/c/{conv.id}/assign", {"assignee": str(stranger.id)})
    garbage = post_form(owner, f"/w/acme/c/{conv.id}/assign", {"assignee": "marie"})

    assert response.status_code == 400
    assert "no member" in response.text
    assert garbage.status_code == 400
    assert desk.conversation(db, conv.id).assignee_id is None


def test_resolving_takes_the_conversation_out_of_the_default_inbox(owner, db, workspace):
    conv = inbox_factories.conversation(db, workspace, text="Batterie morte")

    response = post_form(owner, f"/w/acme/c/{conv.id}/status", {"status": "resolved", "next": "/w/acme/"})
    inbox = owner.get("/w/acme/", headers={"accept-language": "en"}).text

    assert response.headers["location"] == "/w/acme/"
    assert desk.conversation(db, conv.id).status == "resolved"
    assert desk.audit(db, "conversation.update")[-1].after == {"status": "resolved"}
    assert "Batterie morte" not in inbox
    assert "Conversation resolved" in inbox
    assert 'value="status:open"' in inbox  # the toast offers to undo


def test_an_unknown_status_is_a_400_and_changes_nothing(owner, db, workspace):
    conv = inbox_factories.conversation(db, workspace, status="open")

    response = post_form(owner, f"/w/acme/c/{conv.id}/status", {"status": "archived"})

    assert response.status_code == 400
    assert "archived" in response.text
    assert desk.conversation(db, conv.id).status == "open"


def test_a_redirect_never_leaves_the_site(owner, db, workspace):
    conv = inbox_factories.conversation(db, workspace)

    response = post_form(
        owner, f"/w/acme/c/{conv.id}/status", {"status": "open", "next": "https://evil.example/"}
    )

    assert response.headers["location"] == "/"


def test_tags_are_added_from_the_existing_ones_and_removed(login_as, db, workspace):
    agent = login_as("agent")
    desk.tag(db, workspace.id, "livraison")
    conv = inbox_factories.conversation(db, workspace)

    added = post_form(agent, f"/w/acme/c/{conv.id}/tags", {"name": "livraison", "op": "tag"})
    after_add = desk.tag_names(db, conv.id)
    post_form(agent, f"/w/acme/c/{conv.id}/tags", {"name": "livraison", "op": "untag"})

    assert added.status_code == 303
    assert after_add == ["livraison"]
    assert desk.tag_names(db, conv.id) == []
    events = desk.audit(db, "conversation.update")
    assert [e.after for e in events] == [{"tags": ["livraison"]}, {"tags": []}]


def test_an_agent_cannot_invent_a_tag_but_an_admin_can(login_as, db, workspace):
    agent, admin = login_as("agent"), login_as("admin")
    conv = inbox_factories.conversation(db, workspace)

    refused = post_form(agent, f"/w/acme/c/{conv.id}/tags", {"name": "vip", "op": "tag"})
    created = post_form(admin, f"/w/acme/c/{conv.id}/tags", {"name": "vip", "op": "tag"})

    assert refused.status_code == 400
    assert "does not exist" in refused.text
    assert created.status_code == 303
    assert desk.tag_names(db, conv.id) == ["vip"]
    assert len(desk.audit(db, "tag.create")) == 1


def test_a_note_is_kept_audited_and_shown_in_the_thread(owner, db, workspace):
    conv = inbox_factories.conversation(db, workspace, text="Colis jamais arrivé")

    response = post_form(owner, f"/w/acme/c/{conv.id}/notes", {"text": "J’ai écrit au transporteur."})
    page = owner.get(f"/w/acme/c/{conv.id}", headers={"accept-language": "fr"}).text

    assert response.status_code == 303
    assert response.headers["location"].startswith(f"/w/acme/c/{conv.id}#n")
    assert desk.notes(db, conv.id) == ["J’ai écrit au transporteur."]
    assert desk.audit(db, "note.add")[-1].after["text"] == "J’ai écrit au transporteur."
    assert "Note interne" in page
    assert page.index("Colis jamais arrivé") < page.index("J’ai écrit au transporteur.")


def test_an_empty_note_is_a_400(owner, db, workspace):
    conv = inbox_factories.conversation(db, workspace)

    blank = post_form(owner, f"/w/acme/c/{conv.id}/notes", {"text": "   "})
    missing = post_form(owner, f"/w/acme/c/{conv.id}/notes", {})

    assert blank.status_code == 400
    assert missing.status_code == 400
    assert desk.notes(db, conv.id) == []


def test_a_viewer_sees_no_triage_controls_and_may_not_use_them(login_as, db, workspace):
    viewer = login_as("viewer")
    conv = inbox_factories.conversation(db, workspace)

    page = viewer.get(f"/w/acme/c/{conv.id}").text
    responses = [
        post_form(viewer, f"/w/acme/c/{conv.id}/assign", {"assignee": "me"}).status_code,
        post_form(viewer, f"/w/acme/c/{conv.id}/status", {"status": "resolved"}).status_code,
        post_form(viewer, f"/w/acme/c/{conv.id}/notes", {"text": "hello"}).status_code,
        post_form(viewer, f"/w/acme/c/{conv.id}/tags", {"name": "x"}).status_code,
    ]

    assert f"/c/{conv.id}/status" not in page
    assert f"/c/{conv.id}/notes" not in page
    assert responses == [403, 403, 403, 403]
    assert desk.conversation(db, conv.id).status == "new"


def test_another_workspaces_conversation_is_404_for_every_action(owner, db, workspace, other_workspace):
    theirs = inbox_factories.conversation(db, other_workspace, status="open")
    paths = {
        "assign": {"assignee": "me"},
        "status": {"status": "resolved"},
        "notes": {"text": "hello"},
        "tags": {"name": "x"},
        "presence": {"state": "viewing"},
    }

    codes = {
        name: post_form(owner, f"/w/acme/c/{theirs.id}/{name}", data).status_code
        for name, data in paths.items()
    }

    assert codes == dict.fromkeys(paths, 404)
    assert desk.conversation(db, theirs.id).status == "open"
    assert desk.notes(db, theirs.id) == []


def test_forms_without_the_csrf_token_are_refused(owner, db, workspace):
    conv = inbox_factories.conversation(db, workspace)

    response = owner.post(f"/w/acme/c/{conv.id}/status", data={"status": "resolved"})

    assert response.status_code == 403
    assert desk.conversation(db, conv.id).status == "new"
