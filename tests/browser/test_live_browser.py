"""Live updates in a real browser: the inbox shows a mention stored after the page loaded, without
a reload, with its filters kept and a notice of what is new; a colleague's note appears on an open
conversation."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect

import factories
from ecoute.inbox.notes import add_note
from ecoute.ingest import ingest
from ecoute.store import repo


def _same_bus_as_the_app(live, monkeypatch) -> None:
    """The app publishes on its data folder's live bus (an SQLite file); so does this process."""
    folder = Path(live.db.engine.url.database).parent
    monkeypatch.setenv("ECOUTE_EVENTS_URL", f"sqlite:///{folder / 'live.db'}")


def test_a_mention_ingested_after_the_page_loaded_appears_without_reload(
    page, live, monkeypatch, screenshots
):
    _same_bus_as_the_app(live, monkeypatch)
    page.goto(live.at("/w/demo/?q=zorglub"))
    expect(page.locator(".empty-state")).to_be_visible()
    page.wait_for_selector(".inbox-desk[data-live=on]")
    page.evaluate("window.loadedOnce = true")
    everything = page.locator(".view-list a", has_text="To do")
    before = everything.inner_text()

    with live.db.session() as session:
        workspace = repo.require_workspace(session, "demo")
    ingest(live.db, workspace, [factories.raw_item("live-zorglub", "Le zorglub de Velora ne s'allume plus")])

    row = page.locator("li.row", has_text="zorglub")
    expect(row).to_have_count(1)
    expect(page.locator("[data-live-notice]")).to_have_text("1 new mention — show")
    expect(everything).not_to_have_text(before)  # the views' counts were re-read too
    assert page.evaluate("window.loadedOnce") is True  # the same page: never reloaded
    assert page.url.endswith("/w/demo/?q=zorglub")
    expect(page.locator("input#search")).to_have_value("zorglub")
    page.screenshot(path=str(screenshots / "live-inbox.png"))
    assert page.js_errors == []


def test_a_colleagues_note_appears_on_an_open_conversation(page, live, monkeypatch):
    _same_bus_as_the_app(live, monkeypatch)
    page.locator("li.row .row-link").first.click()
    page.wait_for_url(re.compile(r"/w/demo/c/\d+"))
    page.wait_for_selector(".conv-desk[data-live=on]")
    conversation_id = int(page.locator(".conv-desk").get_attribute("data-conversation"))

    with live.db.session() as session:
        workspace = repo.require_workspace(session, "demo")
        add_note(
            session, workspace.id, conversation_id, "Je rappelle ce client à 15 h", user_id=None, actor="test"
        )

    expect(page.locator(".timeline .entry.note", has_text="Je rappelle ce client à 15 h")).to_have_count(1)
    expect(page.locator("[data-live-notice]")).to_have_text("Updated just now")
    assert page.js_errors == []
