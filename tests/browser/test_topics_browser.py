"""Renaming and merging topics in a real browser, in French at phone width, without widening the
page; the names and merges show on the Insights page at once."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select

from browser.conftest import PHONE
from ecoute.store.models import Mention
from ecoute.topics.models import MentionTopic, Topic


def _topics(live) -> list[int]:
    """Three topics over the demo's most recent mentions (as a rebuild would leave them)."""
    workspace_id = live.world.workspace.id
    with live.db.session() as session:
        recent = session.scalars(
            select(Mention.id)
            .where(Mention.workspace_id == workspace_id, Mention.hidden.is_(False))
            .order_by(Mention.created_at.desc())
            .limit(30)
        ).all()
        topics = [Topic(workspace_id=workspace_id, label=f"sujet de test {n}", size=10) for n in range(3)]
        session.add_all(topics)
        session.flush()
        session.add_all(
            MentionTopic(mention_id=m, workspace_id=workspace_id, topic_id=topics[i % 3].id)
            for i, m in enumerate(recent)
            if session.get(MentionTopic, m) is None
        )
        return [t.id for t in topics]


def test_an_agent_renames_and_merges_topics_at_phone_width(open_as, live):
    first, second, _third = _topics(live)
    page = open_as(locale="fr", viewport=PHONE)
    page.goto(live.at("/w/demo/insights?days=90"))
    editor = page.locator(f"details[data-topic-edit='{first}']")
    editor.locator("summary").click()
    editor.locator("input[name=name]").fill("Livraisons en retard")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    editor.get_by_role("button", name="Renommer").click()
    expect(page.locator(f"tr[data-topic='{first}'] th > a")).to_have_text("Livraisons en retard")

    editor = page.locator(f"details[data-topic-edit='{second}']")
    editor.locator("summary").click()
    editor.locator("select[name=into]").select_option(str(first))
    editor.get_by_role("button", name="Fusionner").click()
    expect(page.locator(f"tr[data-topic='{first}']")).to_be_visible()
    expect(page.locator(f"tr[data-topic='{second}']")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.js_errors == []
