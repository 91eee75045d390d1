"""An outage followed in the browser: the alert opens an incident, a statement goes on its
timeline, the personal updates are reviewed in bulk (one edited, one left out) and approved; the
first goes out at once and the others wait their turn on the queue. The pages fit a phone."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select

from ecoute.incidents.models import PersonalUpdate
from ecoute.store.models import Reply
from ecoute.warn.scan import scan_workspace

PHONE = {"width": 390, "height": 844}


def _overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def test_alert_to_incident_to_personal_updates(open_as, live, screenshots):
    scan_workspace(live.db, live.world.workspace.id)
    slug = live.world.workspace.slug
    page = open_as(locale="fr")

    page.goto(live.at(f"/w/{slug}/alerts"))
    outage = page.locator("article[data-kind=volume], article[data-kind=negative_share]").first
    outage.locator("[data-open-incident]").click()
    page.wait_for_url("**/incidents/*")
    expect(page.locator("[data-figures]")).to_contain_text("personnes touchées")
    page.locator("form[data-draft=fr] button").click()
    expect(page.locator("[data-timeline] [data-event=statement]")).to_have_count(1)
    page.locator("[data-updates-link]").click()
    page.locator("[data-prepare]").click()
    cards = page.locator("article[data-update]")
    expect(cards.first).to_be_visible()
    total = cards.count()
    cards.nth(0).locator("textarea").fill("Bonjour, nos verrous refonctionnent : toutes nos excuses.")
    cards.nth(1).locator("input[type=checkbox]").uncheck()
    page.screenshot(path=str(screenshots / "incident-updates.png"), full_page=True)
    page.locator("[data-send]").click()

    expect(page.locator("article[data-state=skipped]")).to_have_count(1)
    expect(page.locator("article[data-state=recorded]")).to_have_count(1)  # the first, at once
    expect(page.locator("article[data-state=queued]")).to_have_count(total - 2)  # then one every 15 s
    with live.db.session() as session:
        first = session.scalar(select(PersonalUpdate).order_by(PersonalUpdate.id).limit(1))
        reply = session.get(Reply, first.reply_id)
    assert reply.text == "Bonjour, nos verrous refonctionnent : toutes nos excuses."
    phone = open_as(locale="fr", viewport=PHONE)
    for path in (page.url, page.url.rsplit("/", 1)[0], f"/w/{slug}/incidents"):
        phone.goto(path if path.startswith("http") else live.at(path))
        assert _overflow(phone) <= 0, path
    assert not page.js_errors
