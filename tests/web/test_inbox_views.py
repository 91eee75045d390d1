"""Saved views: personal ones for anybody, shared ones for those who may manage them."""

import desk_helpers as desk
import inbox_factories
from web_helpers import post_form


def test_a_personal_view_is_listed_for_its_owner_only(login_as, db, workspace):
    marie, karim = login_as("agent"), login_as("agent")

    response = post_form(
        marie, "/w/acme/views", {"name": "Colère batterie", "query": "sentiment=negative&q=batterie"}
    )
    hers = marie.get("/w/acme/").text
    his = karim.get("/w/acme/").text

    assert response.status_code == 303
    assert response.headers["location"] == "/w/acme/?q=batterie&sentiment=negative"
    assert "Colère batterie" in hers
    assert "Colère batterie" not in his
    assert desk.audit(db, "view.create")[-1].after["filters"] == {"sentiment": "negative", "q": "batterie"}


def test_the_current_view_is_named_in_the_heading(owner, db, workspace):
    post_form(owner, "/w/acme/views", {"name": "Réclamations", "query": "intent=complaint"})

    page = owner.get("/w/acme/?intent=complaint").text

    assert '<h1 id="inbox-heading">Réclamations</h1>' in page


def test_only_admins_share_views_and_everyone_sees_shared_ones(login_as, db, workspace):
    admin, agent = login_as("admin"), login_as("agent")

    refused = post_form(
        agent, "/w/acme/views", {"name": "Pour tous", "query": "status=new", "shared": "true"}
    )
    shared = post_form(
        admin, "/w/acme/views", {"name": "Urgences du jour", "query": "needs_reply=1", "shared": "true"}
    )

    assert refused.status_code == 403
    assert shared.status_code == 303
    assert "Urgences du jour" in agent.get("/w/acme/").text


def test_a_view_is_deleted_by_its_owner_never_by_someone_else(login_as, db, workspace):
    marie, karim = login_as("agent"), login_as("agent")
    post_form(marie, "/w/acme/views", {"name": "Mes avis", "query": "platform=google_reviews"})
    view_id = desk.audit(db, "view.create")[-1].target_id

    stolen = post_form(karim, f"/w/acme/views/{view_id}/delete")
    deleted = post_form(marie, f"/w/acme/views/{view_id}/delete")

    assert stolen.status_code == 404
    assert deleted.status_code == 303
    assert f"/views/{view_id}/delete" not in marie.get("/w/acme/").text
    assert desk.audit(db, "view.delete")[-1].before["name"] == "Mes avis"


def test_an_agent_may_not_delete_a_shared_view(login_as, db, workspace):
    admin, agent = login_as("admin"), login_as("agent")
    post_form(admin, "/w/acme/views", {"name": "Presse", "query": "platform=rss", "shared": "true"})
    view_id = desk.audit(db, "view.create")[-1].target_id

    response = post_form(agent, f"/w/acme/views/{view_id}/delete")

    assert response.status_code == 403


def test_bad_views_are_400(owner, db, workspace):
    codes = {
        "blank name": post_form(owner, "/w/acme/views", {"name": "  ", "query": "status=new"}).status_code,
        "bad filter": post_form(
            owner, "/w/acme/views", {"name": "x", "query": "since=yesterday"}
        ).status_code,
        "bad status": post_form(
            owner, "/w/acme/views", {"name": "y", "query": "status=archived"}
        ).status_code,
    }
    post_form(owner, "/w/acme/views", {"name": "Twice", "query": "status=new"})
    twice = post_form(owner, "/w/acme/views", {"name": "twice", "query": "status=open"})

    assert codes == dict.fromkeys(codes, 400)
    assert twice.status_code == 400
    assert "already exists" in twice.text


def test_another_workspaces_view_is_404(owner, db, workspace, other_workspace):
    outsider = inbox_factories.user(db, other_workspace, "owner")
    with db.session() as session:
        from ecoute.inbox import views

        theirs = views.create_view(
            session,
            other_workspace.id,
            user_id=outsider.id,
            name="Globex",
            filters={},
            shared=True,
            actor="test",
        )

    response = post_form(owner, f"/w/acme/views/{theirs.id}/delete")

    assert response.status_code == 404
