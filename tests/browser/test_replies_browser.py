"""Answering customers in the browser: a French complaint and an English question answered from
the drafts, an agent's reply approved by an admin, and the response metrics moving."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

from demo_world import PASSWORD
from ecoute.insights.response_metrics import response_report
from ecoute.respond.approval import set_approval_roles
from ecoute.store.models import Conversation, Reply, Workspace


def _waiting(live, lang: str, intent: str, skip: int = 0) -> int:
    """A conversation of the demo still waiting for an answer, in ``lang`` with ``intent``."""
    with live.db.session() as session:
        ids = session.scalars(
            select(Conversation.id)
            .outerjoin(Reply, Reply.conversation_id == Conversation.id)
            .where(
                Conversation.workspace_id == live.world.workspace.id,
                Conversation.lang == lang,
                Conversation.intent == intent,
                Conversation.needs_reply.is_(True),
                Conversation.status != "resolved",
                Reply.id.is_(None),
            )
            .order_by(Conversation.priority.desc(), Conversation.id)
        ).all()
        return ids[skip]


def _answered(live) -> int:
    with live.db.session() as session:
        workspace = session.get(Workspace, live.world.workspace.id)
        return response_report(session, workspace).total.answered


def send(page) -> None:
    """Send, confirming once if the composer warns that the text is close to a reply the team sent
    a moment ago (the demo's drafts for two similar complaints, answered by another test)."""
    page.locator("[data-send]").click()
    result, warning = page.locator("[data-result]"), page.locator("[data-warning]")
    expect(result.or_(warning).filter(visible=True).filter(has_text=re.compile(r"\S"))).to_have_count(1)
    if warning.is_visible():
        page.locator("[data-send]").click()


def _compose_with_first_draft(page, live, conversation_id: int) -> None:
    page.goto(live.at(f"/w/{live.world.workspace.slug}/c/{conversation_id}"))
    page.locator("[data-draft]").first.click()
    expect(page.locator("[data-counter]")).not_to_have_text(re.compile(r"^0 /"))


def test_answer_a_french_complaint_from_a_draft(open_as, live, screenshots):
    answered = _answered(live)
    page = open_as(locale="fr")
    conversation_id = _waiting(live, "fr", "complaint")
    _compose_with_first_draft(page, live, conversation_id)
    expect(page.locator("[data-variety]")).to_contain_text("Originalité")
    page.locator(".reply-slot").screenshot(path=str(screenshots / "composer-fr.png"))
    send(page)

    expect(page.locator("[data-result]")).to_contain_text("Réponse enregistrée")
    expect(page.locator("[data-result] a")).to_have_attribute("href", re.compile(r"^https?://"))
    assert _answered(live) == answered + 1


def test_an_agents_answer_to_an_english_question_waits_for_an_admin(open_as, live, screenshots):
    with live.db.session() as session:
        set_approval_roles(session, session.get(Workspace, live.world.workspace.id), ["agent"], actor="test")
    conversation_id = _waiting(live, "en", "question")
    agent = open_as("marie@cyclune.example", PASSWORD, locale="en")
    _compose_with_first_draft(agent, live, conversation_id)
    box = agent.locator("[data-reply-text]")
    box.fill(box.input_value().replace(" – Marie", " Have a lovely day! – Marie"))
    expect(agent.locator("[data-variety]")).to_contain_text("Originality")
    agent.locator(".reply-slot").screenshot(path=str(screenshots / "composer-en.png"))
    agent.get_by_role("button", name="Submit for approval").click()
    expect(agent.locator("[data-result]")).to_contain_text("waiting for approval")
    answered = _answered(live)

    admin = open_as("lea@cyclune.example", PASSWORD, locale="en")
    admin.goto(live.at(f"/w/{live.world.workspace.slug}/approvals"))
    card = admin.locator("article.approval").filter(has_text="Have a lovely day!")
    card.get_by_role("button", name="Approve and send").click()

    expect(admin.locator("article.approval").filter(has_text="Have a lovely day!")).to_have_count(0)
    assert _answered(live) == answered + 1
