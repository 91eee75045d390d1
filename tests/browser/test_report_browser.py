"""The report in the browser, on the demo workspace: from Insights to the report of one brand, its
style admitted by the app's content security policy, readable with scripts off and on a phone
without widening the page (screenshots for the docs)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def test_the_report_opens_from_insights_and_follows_the_brand_chosen(open_as, live, screenshots):
    page = open_as(locale="en")
    refused: list[str] = []
    page.on(
        "console",
        lambda message: refused.append(message.text) if "Content Security" in message.text else None,
    )
    page.goto(live.at("/w/demo/insights?days=30"))
    page.locator("a[data-report]").click()
    page.wait_for_url("**/w/demo/report?**")
    expect(page.locator("h1")).to_have_text("Report · All brands")
    page.select_option("select[name=brand]", label="Kipwatt")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("h1")).to_have_text("Report · Kipwatt")
    assert (
        page.locator(".figures").evaluate("e => getComputedStyle(e).display") == "grid"
    )  # its style applies
    pdf = page.locator("a[data-download=pdf]")
    wanted = r"^/w/demo/report\?brand=\d+&from=[\d-]+&to=[\d-]+&format=pdf&lang=en$"
    expect(pdf).to_have_attribute("href", re.compile(wanted))
    assert refused == [] and page.js_errors == []


def test_screenshots_of_the_report(open_as, live, screenshots):
    for suffix, viewport, locale in (("", LAPTOP, "en"), ("-fr", LAPTOP, "fr"), ("-phone", PHONE, "fr")):
        page = open_as(locale=locale, viewport=viewport, javascript=False)
        page.goto(live.at("/w/demo/report?brand=Cyclune"))
        expect(page.locator("svg[data-chart=chart-volume]")).to_be_visible()
        page.screenshot(path=str(screenshots / f"report{suffix}.png"), full_page=True)
        if viewport is PHONE:  # nothing wider than the phone but the tables, which scroll on their own
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
