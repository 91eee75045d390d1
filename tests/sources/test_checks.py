"""Testing a source against its platform stores nothing and says what the platform answered:
Mastodon's ``verify_credentials``, Bluesky's ``createSession`` (the password itself, not a session
held from before), a feed fetched and parsed; a refusal comes back with its kind."""

from __future__ import annotations

import pytest

from ecoute.settings import Settings
from ecoute.sources.checks import check_source
from ecoute.sources.credentials import seal_secrets
from fake_bluesky import HANDLE, PASSWORD, running_pds
from fake_mastodon import TOKEN, running_mastodon
from feedserver import running_feed_server

APP = Settings({"secret_key": "test-secret-key", "http_retries": "1"})


@pytest.fixture
def mastodon():
    with running_mastodon() as server:
        yield server


@pytest.fixture
def pds():
    with running_pds() as server:
        yield server


def test_a_mastodon_token_is_checked_with_verify_credentials(mastodon):
    settings = seal_secrets({"instance": mastodon.url, "access_token": TOKEN}, APP)

    accepted = check_source("mastodon", settings, APP)
    mastodon.token = "revoked"
    refused = check_source("mastodon", settings, APP)

    assert accepted.ok and accepted.message == f"signed in as @cafe_lumiere on {mastodon.url}"
    assert mastodon.paths()[0] == "/api/v1/accounts/verify_credentials"
    assert not refused.ok and refused.kind == "auth" and TOKEN not in refused.message


def test_a_bluesky_app_password_is_tried_itself_each_time(pds):
    settings = seal_secrets({"service": pds.url, "identifier": HANDLE, "app_password": PASSWORD}, APP)

    accepted = check_source("bluesky", settings, APP)
    pds.password = "changed-elsewhere"  # the session held from the first check is not enough
    refused = check_source("bluesky", settings, APP)

    assert accepted.ok and f"@{HANDLE}" in accepted.message
    assert not refused.ok and refused.kind == "auth" and PASSWORD not in refused.message


def test_a_feed_is_fetched_and_parsed_and_a_webhook_has_nothing_to_test():
    with running_feed_server() as feed:
        feed.serve("feed__rss2.xml")
        read = check_source("rss", {"url": feed.url}, APP)
        feed.serve("feed__html_not_feed.html")
        not_a_feed = check_source("rss", {"url": feed.url}, APP)
    webhook = check_source("webhook", {}, APP)

    assert read.ok and read.message.startswith("feed read: 3 entries")
    assert not not_a_feed.ok and not_a_feed.kind == "permanent"
    assert not webhook.ok and not webhook.checkable
