"""The Sources page in the browser, on the demo workspace: reach it from the top bar, add an RSS
feed served locally, see it on the page and test it; the page on a phone, in French, without
widening the page (screenshots)."""

from __future__ import annotations

from playwright.sync_api import expect

from feedserver import running_feed_server

PHONE = {"width": 390, "height": 844}


def test_an_admin_adds_a_feed_and_sees_it_on_the_page(open_as, live, screenshots):
    with running_feed_server() as feed:
        feed.serve("feed__rss2.xml")
        page = open_as(locale="en")
        page.get_by_role("navigation", name="Workspace").get_by_role("link", name="Sources").click()
        page.wait_for_url("**/w/demo/sources")
        page.locator('[data-add="rss"] summary').click()
        form = page.locator('[data-add="rss"] form')
        form.locator("input[name=name]").fill("Press review")
        form.locator("input[name=url]").fill(feed.url)
        form.locator('[data-action="add-rss"]').click()
        expect(page.locator('[data-added="Press review"]')).to_be_visible()
        card = page.locator('[data-source="Press review"]')
        expect(card.locator("[data-words]")).to_have_text("Not polled yet")
        card.locator('[data-action="test"]').click()
        expect(page.locator('[data-source="Press review"] [data-result="ok"]')).to_contain_text("feed read")
        page.screenshot(path=str(screenshots / "sources.png"), full_page=True)

    phone = open_as(locale="fr", viewport=PHONE)
    phone.goto(live.at("/w/demo/sources"))
    expect(phone.locator('[data-source="Press review"]')).to_be_visible()
    phone.locator('[data-add="mastodon"] summary').click()
    width = phone.evaluate("document.documentElement.scrollWidth")
    phone.screenshot(path=str(screenshots / "sources-phone.png"), full_page=True)
    assert width <= PHONE["width"]
    assert phone.js_errors == []
