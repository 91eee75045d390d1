"""Connect a Facebook Page in the browser: the Sources page's form, Facebook's consent (a local
Graph that approves at once), the page listing the admin's Pages, one picked, and back on the
Sources page with the new source; no token ever shown. Then the choice page in French on a phone."""

from __future__ import annotations

import dataclasses

import pytest
from playwright.sync_api import expect
from sqlalchemy import delete

from ecoute.sources.connect import providers
from ecoute.store.models import Source
from fake_meta import PAGE_ID
from fake_meta_login import running_meta_login
from fake_oauth import CLIENT_ID, CLIENT_SECRET

PHONE = {"width": 390, "height": 844}
NAMES = ("Facebook page", "Page Facebook")


@pytest.fixture
def meta(monkeypatch, live):
    with running_meta_login() as server:
        moved = dataclasses.replace(
            providers.PROVIDERS["meta"], authorize_url=server.authorize_url, token_url=server.token_url
        )
        monkeypatch.setitem(providers.PROVIDERS, "meta", moved)
        monkeypatch.setenv("ECOUTE_OAUTH_META_CLIENT_ID", CLIENT_ID)
        monkeypatch.setenv("ECOUTE_OAUTH_META_CLIENT_SECRET", CLIENT_SECRET)
        monkeypatch.setenv("ECOUTE_PUBLIC_URL", live.url)
        yield server
    with live.db.session() as session:
        session.execute(delete(Source).where(Source.name.in_(NAMES)))


def _start(page, live, name: str) -> None:
    page.goto(live.at("/w/demo/sources"))
    page.locator('[data-add="connect-facebook"] summary').click()
    form = page.locator('[data-add="connect-facebook"] form')
    form.locator("input[name=name]").fill(name)
    form.locator('[data-action="connect-facebook"]').click()
    page.wait_for_url("**/w/demo/sources/connect/choose")


def test_an_admin_picks_a_facebook_page_and_comes_back_to_the_sources_page(open_as, live, meta, screenshots):
    page = open_as(locale="en")
    _start(page, live, NAMES[0])

    choices = page.locator("[data-choice]")
    expect(choices).to_have_count(len(meta.accounts))
    expect(page.locator(f'[data-choice="{PAGE_ID}"]')).to_be_visible()
    tokens = [*meta.user_tokens(), *(a["access_token"] for a in meta.accounts), CLIENT_SECRET]
    assert not any(token in page.content() or token in page.url for token in tokens)
    page.screenshot(path=str(screenshots / "sources-choose-page.png"), full_page=True)

    page.locator(f'[data-choice="{PAGE_ID}"] input').check()
    page.locator('[data-action="choose"]').click()

    page.wait_for_url("**/w/demo/sources?connect=connected*")
    expect(page.locator('[data-connect="connected"]')).to_contain_text(f"“{NAMES[0]}” is connected")
    expect(page.locator(f'[data-source="{NAMES[0]}"]')).to_be_visible()
    assert not any(token in page.content() or token in page.url for token in tokens)

    phone = open_as(locale="fr", viewport=PHONE)
    _start(phone, live, NAMES[1])
    expect(phone.locator('[data-action="choose"]')).to_have_text("Connecter la sélection")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.js_errors == [] and phone.js_errors == []
