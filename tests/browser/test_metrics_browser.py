"""The response metrics in the browser, on the demo workspace: reach the page from the top bar, read
the response rate, answer a waiting complaint from a draft, come back and see the figures move;
the page on a phone and in French (screenshots for the README)."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

from ecoute.insights.response_facts import response_facts
from ecoute.store.models import Conversation

LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def _waiting_complaint(live) -> int:
    """A complaint that the metrics count as not answered yet, most urgent first."""
    with live.db.session() as session:
        waiting = {
            f.conversation_id
            for f in response_facts(session, live.world.workspace.id)
            if f.intent == "complaint" and not f.answered
        }
        return session.scalars(
            select(Conversation.id)
            .where(Conversation.id.in_(waiting), Conversation.status != "resolved")
            .order_by(Conversation.priority.desc(), Conversation.id)
            .limit(1)
        ).one()


def _figures(page) -> dict[str, object]:
    rate = page.locator('[data-figure="response_rate"]')
    complaints = page.locator('[data-figure="complaints_answered_share"]')
    return {
        "answered": int(rate.get_attribute("data-answered")),
        "conversations": int(rate.get_attribute("data-conversations")),
        "rate": rate.locator(".big").inner_text(),
        "exact_rate": float(rate.get_attribute("data-value")),
        "complaints_answered": int(complaints.get_attribute("data-answered")),
        "complaints": int(complaints.get_attribute("data-conversations")),
    }


def test_answering_a_complaint_moves_the_figures(open_as, live, screenshots):
    page = open_as(locale="en")
    page.get_by_role("navigation", name="Workspace").get_by_role("link", name="Metrics").click()
    page.wait_for_url("**/w/demo/metrics")
    before = _figures(page)
    expect(page.locator('[data-figure="response_rate"] .big')).to_have_text(re.compile(r"^\d+%$"))

    page.goto(live.at(f"/w/demo/c/{_waiting_complaint(live)}"))
    page.locator("[data-draft]").first.click()
    expect(page.locator("[data-counter]")).not_to_have_text(re.compile(r"^0 /"))
    page.locator("[data-send]").click()
    expect(page.locator("[data-result]")).to_contain_text("Reply recorded")
    page.get_by_role("navigation", name="Workspace").get_by_role("link", name="Metrics").click()
    page.wait_for_url("**/w/demo/metrics")
    after = _figures(page)

    assert after["answered"] == before["answered"] + 1
    assert after["complaints_answered"] == before["complaints_answered"] + 1
    assert (after["conversations"], after["complaints"]) == (before["conversations"], before["complaints"])
    # The displayed rate is rounded to a whole percent, which one more answer among ~180 may not move.
    assert after["exact_rate"] > before["exact_rate"]
    assert page.js_errors == []


def test_the_breakdown_and_the_period_work_without_javascript(open_as, live):
    page = open_as(locale="en", javascript=False)
    page.goto(live.at("/w/demo/metrics"))

    page.select_option("select[name=by]", "intent")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"by=intent"))
    expect(page.locator("table[data-breakdown=intent] tbody tr").first).to_be_visible()
    expect(page.locator("table[data-breakdown=intent]")).to_contain_text("Complaint")
    page.fill("input[name=from]", "2999-01-01")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("No conversation needing a reply opened in this period.")).to_be_visible()
    expect(page.locator("a[data-csv]")).to_have_attribute("href", re.compile(r"from=2999-01-01.*by=intent"))


def test_screenshots_of_the_metrics_page(open_as, live, screenshots):
    for suffix, viewport, locale in (("", LAPTOP, "en"), ("-fr", LAPTOP, "fr"), ("-phone", PHONE, "fr")):
        page = open_as(locale=locale, viewport=viewport)
        page.goto(live.at("/w/demo/metrics?by=agent"))
        expect(page.locator("svg[data-chart=chart-rate]")).to_be_visible()
        page.screenshot(path=str(screenshots / f"metrics{suffix}.png"), full_page=True)
        if viewport is PHONE:  # nothing wider than the phone but the tables, which scroll on their own
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"]
        assert page.js_errors == []
