"""First-response timers in a real browser: an overdue conversation stands out in red, the
deadline filter shows the overdue ones, and a timer counts down by itself and turns red when its
deadline passes (business hours: Monday 10:00 in Paris, the server's clock fixed there)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import delete, select

from deadline_world import NOW
from ecoute.store.models import Conversation, Mention, Workspace
from ecoute.web.pages import deadline_view
from response_factories import Builder


@pytest.fixture
def waiting(live, monkeypatch):
    """Three conversations of the demo workspace at a fixed moment, removed afterwards."""
    monkeypatch.setattr(deadline_view, "utcnow", lambda: NOW)
    with live.db.session() as session:
        demo = session.scalars(select(Workspace).where(Workspace.slug == "demo")).one()
    b = Builder(live.db, demo)
    ids = {}
    for name, started in (
        # Friday 17:30:55: 29 min 05 s overdue, shown "30 min" (a started minute counts) for the
        # next 55 s, however slowly the browser gets to look.
        ("late", NOW - timedelta(days=2, hours=16, minutes=29, seconds=5)),
        ("ticking", NOW - timedelta(minutes=60) + timedelta(seconds=8)),  # 8 s left
        ("fine", NOW - timedelta(minutes=5)),  # 55 min left
    ):
        ids[name] = b.conversation(started, priority=80)
        b.mention(ids[name], started)
    yield ids
    with live.db.session() as session:
        session.execute(delete(Mention).where(Mention.conversation_id.in_(ids.values())))
        session.execute(delete(Conversation).where(Conversation.id.in_(ids.values())))


def row(page, conversation_id: int):
    return page.locator(f'li.row[data-id="{conversation_id}"]')


def test_an_overdue_row_is_red_and_the_filter_shows_the_overdue_ones(open_as, waiting, screenshots):
    page = open_as()
    page.select_option("select[name=deadline]", "breached")  # applies itself
    page.wait_for_url(re.compile(r"deadline=breached"))

    late = row(page, waiting["late"])
    expect(late).to_have_class(re.compile(r"\bdeadline-breached\b"))
    expect(late.locator(".deadline")).to_have_text(re.compile(r"overdue by 30 min"))
    assert (
        late.locator(".deadline").evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(180, 35, 24)"
    )
    expect(row(page, waiting["fine"])).to_have_count(0)
    page.screenshot(path=str(screenshots / "deadlines.png"))
    assert page.js_errors == []


def test_a_timer_counts_down_and_turns_red_when_its_deadline_passes(open_as, waiting, live):
    page = open_as()
    page.goto(live.at("/w/demo/?deadline=at_risk"))
    ticking = row(page, waiting["ticking"])
    expect(ticking.locator("[data-deadline-left]")).to_have_text("1 min left")
    expect(ticking.locator(".deadline")).to_have_class(re.compile(r"\bk-due_soon\b"))

    # Business hours are open (Monday 10:00): the script counts down and the deadline passes.
    expect(ticking.locator("[data-deadline-left]")).to_have_text("overdue by 1 min", timeout=15_000)
    expect(ticking.locator(".deadline")).to_have_class(re.compile(r"\bk-breached\b"))
    expect(ticking).to_have_class(re.compile(r"\bdeadline-breached\b"))
    expect(row(page, waiting["fine"])).to_have_count(0)
    assert page.js_errors == []


def test_without_javascript_the_timer_is_right_as_rendered(open_as, waiting, live):
    page = open_as(javascript=False)
    page.goto(live.at(f"/w/demo/c/{waiting['late']}"))

    expect(page.locator(".conv-head .deadline")).to_contain_text("overdue by 30 min")
    expect(page.locator(".conv-head .deadline")).to_have_class(re.compile(r"\bk-breached\b"))
