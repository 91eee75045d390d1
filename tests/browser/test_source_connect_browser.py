"""Connect with Reddit in the browser: the Sources page's form, the platform's consent (a local
OAuth server that approves at once), and back on the Sources page with the new source; then the
same page on a phone, in French, without widening it."""

from __future__ import annotations

import dataclasses

import pytest
from playwright.sync_api import expect
from sqlalchemy import delete

from ecoute.sources.connect import providers
from ecoute.store.models import Source
from fake_oauth import CLIENT_ID, CLIENT_SECRET, running_oauth

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def reddit(monkeypatch, live):
    with running_oauth(client_auth="basic", pkce=False, token_path="/api/v1/access_token") as server:
        moved = dataclasses.replace(
            providers.PROVIDERS["reddit"], authorize_url=server.authorize_url, token_url=server.token_url
        )
        monkeypatch.setitem(providers.PROVIDERS, "reddit", moved)
        monkeypatch.setenv("ECOUTE_OAUTH_REDDIT_CLIENT_ID", CLIENT_ID)
        monkeypatch.setenv("ECOUTE_OAUTH_REDDIT_CLIENT_SECRET", CLIENT_SECRET)
        monkeypatch.setenv("ECOUTE_PUBLIC_URL", live.url)
        yield server
    with live.db.session() as session:
        session.execute(delete(Source).where(Source.name == "Reddit brand"))


def test_an_admin_connects_a_reddit_account_and_comes_back_to_the_sources_page(
    open_as, live, reddit, screenshots
):
    page = open_as(locale="en")
    page.goto(live.at("/w/demo/sources"))
    page.locator('[data-add="connect-reddit"] summary').click()
    form = page.locator('[data-add="connect-reddit"] form')
    form.locator("input[name=name]").fill("Reddit brand")
    form.locator("input[name=username]").fill("cafe_lumiere")

    form.locator('[data-action="connect-reddit"]').click()

    page.wait_for_url("**/w/demo/sources?connect=connected*")
    expect(page.locator('[data-connect="connected"]')).to_contain_text("“Reddit brand” is connected")
    expect(page.locator('[data-source="Reddit brand"]')).to_be_visible()
    assert [p for m, p, _h, _b in reddit.requests if m == "GET"][0].startswith("/authorize?")
    assert reddit.secrets_issued()[0] not in page.content()
    page.screenshot(path=str(screenshots / "sources-connected.png"), full_page=True)

    phone = open_as(locale="fr", viewport=PHONE)
    phone.goto(live.at("/w/demo/sources"))
    phone.locator('[data-add="connect-reddit"] summary').click()
    expect(phone.locator('[data-action="connect-reddit"]')).to_have_text("Se connecter avec Reddit")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.js_errors == [] and phone.js_errors == []
