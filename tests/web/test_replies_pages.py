"""The reply composer fragment, sending from the conversation page, and the approvals queue."""

from __future__ import annotations

import reply_factories as rf
from ecoute.respond.approval import set_approval_roles
from ecoute.store.models import Conversation, Workspace
from web.conftest import csrf_of

QUESTION = "Hi, do you ship to Belgium and how long does it take?"


def test_the_conversation_page_has_the_composer_slot_and_the_fragment_has_drafts(db, workspace, login_as):
    conv = rf.conversation(db, workspace, text=QUESTION, intent="question", sentiment="neutral", lang="en")
    agent = login_as("agent")
    page = agent.get(f"/w/acme/c/{conv.id}")
    fragment = agent.get(f"/w/acme/c/{conv.id}/composer")
    assert f'data-src="/w/acme/c/{conv.id}/composer"' in page.text
    assert fragment.text.count("data-draft=") >= 2
    assert 'data-limit="280"' in fragment.text


def test_an_agent_submits_and_an_admin_approves_from_the_queue(db, workspace, login_as):
    rf.source(db, workspace, "rss")
    with db.session() as session:
        set_approval_roles(session, session.get(Workspace, workspace.id), ["agent"], actor="test")
    conv = rf.conversation(db, workspace, text=QUESTION, intent="question", sentiment="neutral", lang="en")
    agent = login_as("agent")
    token = csrf_of(agent.get(f"/w/acme/c/{conv.id}").text)
    held = agent.post(
        f"/w/acme/c/{conv.id}/replies",
        json={"text": "Yes, we ship to Belgium in 3 to 5 days."},
        headers={"X-CSRF-Token": token, "Idempotency-Key": "page-sub-1"},
    )
    admin = login_as("admin")
    queue = admin.get("/w/acme/approvals")
    approved = admin.post(
        f"/w/acme/approvals/{held.json()['id']}/approve",
        data={"csrf_token": csrf_of(queue.text), "text": "Yes, we ship to Belgium: 3 to 5 working days."},
    )
    [(reply, state)] = rf.replies(db, workspace, conv.id)
    assert (held.status_code, held.json()["status"]) == (201, "pending")
    assert "Yes, we ship to Belgium in 3 to 5 days." in queue.text
    assert approved.status_code == 303
    assert (reply.status, reply.text, state.review_state) == (
        "recorded",
        "Yes, we ship to Belgium: 3 to 5 working days.",
        "approved",
    )


def test_agents_cannot_open_the_approvals_queue(login_as):
    assert login_as("agent").get("/w/acme/approvals").status_code == 403


def test_the_composer_says_what_x_allows_and_only_for_x(db, workspace, login_as):
    on_x = rf.conversation(db, workspace, text=QUESTION, lang="en")
    on_mastodon = rf.conversation(db, workspace, text=QUESTION, lang="en")
    with db.session() as session:
        session.get(Conversation, on_mastodon.id).platform = "mastodon"
    agent = login_as("agent")

    x_fragment = agent.get(f"/w/acme/c/{on_x.id}/composer").text
    mastodon_fragment = agent.get(f"/w/acme/c/{on_mastodon.id}/composer").text

    assert "On X, a reply is accepted only when the author mentioned the brand" in x_fragment
    assert "reply-note" not in mastodon_fragment
