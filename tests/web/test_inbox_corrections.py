"""Correcting a label and hiding a message, from the conversation page."""

import desk_helpers as desk
import inbox_factories
from web_helpers import post_form


def test_correcting_the_sentiment_stores_it_shows_it_and_audits_it(login_as, db, workspace):
    agent = login_as("agent")
    conv = inbox_factories.conversation(db, workspace, text="Génial, encore en panne", sentiment="positive")
    mention = desk.mention_of(db, conv.id)

    response = post_form(
        agent, f"/w/acme/c/{conv.id}/m/{mention.id}/correct", {"field": "sentiment", "value": "negative"}
    )
    page = agent.get(f"/w/acme/c/{conv.id}", headers={"accept-language": "en"}).text

    assert response.status_code == 303
    assert desk.mention_of(db, conv.id).sentiment == "negative"
    assert desk.corrections(db) == [(mention.id, "sentiment", "positive", "negative")]
    event = desk.audit(db, "mention.correct")[-1]
    assert (event.before, event.after) == ({"sentiment": "positive"}, {"sentiment": "negative"})
    assert "Label corrected: Negative" in page
    assert "Corrected by the team" in page


def test_correcting_the_intent(owner, db, workspace):
    conv = inbox_factories.conversation(db, workspace, intent="complaint")
    mention = desk.mention_of(db, conv.id)

    post_form(owner, f"/w/acme/c/{conv.id}/m/{mention.id}/correct", {"field": "intent", "value": "question"})

    assert desk.mention_of(db, conv.id).intent == "question"


def test_bad_corrections_are_400_and_foreign_mentions_404(owner, db, workspace, other_workspace):
    conv = inbox_factories.conversation(db, workspace)
    other = inbox_factories.conversation(db, workspace)
    theirs = inbox_factories.conversation(db, other_workspace)
    mention = desk.mention_of(db, conv.id).id
    path = f"/w/acme/c/{conv.id}/m/{mention}/correct"

    codes = {
        "value": post_form(owner, path, {"field": "sentiment", "value": "furious"}).status_code,
        "field": post_form(owner, path, {"field": "priority", "value": "1"}).status_code,
        "other conversation": post_form(
            owner, f"/w/acme/c/{other.id}/m/{mention}/correct", {"field": "intent", "value": "other"}
        ).status_code,
        "other workspace": post_form(
            owner,
            f"/w/acme/c/{theirs.id}/m/{desk.mention_of(db, theirs.id).id}/correct",
            {"field": "intent", "value": "other"},
        ).status_code,
    }

    assert codes == {"value": 400, "field": 400, "other conversation": 404, "other workspace": 404}
    assert desk.corrections(db) == []


def test_a_viewer_may_not_correct(login_as, db, workspace):
    viewer = login_as("viewer")
    conv = inbox_factories.conversation(db, workspace)
    mention = desk.mention_of(db, conv.id).id

    response = post_form(
        viewer, f"/w/acme/c/{conv.id}/m/{mention}/correct", {"field": "sentiment", "value": "neutral"}
    )

    assert response.status_code == 403
    assert desk.corrections(db) == []


def test_a_hidden_message_is_kept_marked_for_admins_and_left_out_for_agents(login_as, db, workspace):
    admin, agent = login_as("admin"), login_as("agent")
    conv = inbox_factories.conversation(
        db, workspace, text="Insulte gratuite", replies=["Merci de votre retour"]
    )
    mention = desk.mention_of(db, conv.id).id

    response = post_form(admin, f"/w/acme/c/{conv.id}/m/{mention}/hide", {"hidden": "1"})
    seen_by_admin = admin.get(f"/w/acme/c/{conv.id}", headers={"accept-language": "en"}).text
    seen_by_agent = agent.get(f"/w/acme/c/{conv.id}", headers={"accept-language": "en"}).text

    assert response.status_code == 303
    assert desk.mention_of(db, conv.id).hidden is True
    assert desk.audit(db, "mention.hide")[-1].after == {"hidden": True}
    assert "Insulte gratuite" in seen_by_admin
    assert "only admins see this message" in seen_by_admin
    assert "Insulte gratuite" not in seen_by_agent
    assert "1 message was hidden by an admin or a spam rule." in seen_by_agent
    assert "Merci de votre retour" in seen_by_agent


def test_showing_a_message_again_and_agents_may_not_hide(login_as, db, workspace):
    admin, agent = login_as("admin"), login_as("agent")
    conv = inbox_factories.conversation(db, workspace)
    mention = desk.mention_of(db, conv.id).id
    path = f"/w/acme/c/{conv.id}/m/{mention}/hide"

    refused = post_form(agent, path, {"hidden": "1"})
    post_form(admin, path, {"hidden": "1"})
    post_form(admin, path, {"hidden": "0"})
    bad = post_form(admin, path, {"hidden": "maybe"})

    assert refused.status_code == 403
    assert bad.status_code == 400
    assert desk.mention_of(db, conv.id).hidden is False
    assert [e.action for e in desk.audit(db, "mention.hide") + desk.audit(db, "mention.unhide")] == [
        "mention.hide",
        "mention.unhide",
    ]
