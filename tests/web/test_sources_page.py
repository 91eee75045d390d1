"""The Sources page on both databases: adding each type of source (bad input answered with the
form and the field's error, never a 500), testing against the platform without storing, the
state in words, pausing, removing with confirmation (the mentions stay), roles and isolation."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from ecoute.store import repo
from ecoute.store.models import Mention, Source
from ecoute.store.types import utcnow
from feedserver import running_feed_server
from web_helpers import csrf_for, session_client


@pytest.fixture(autouse=True)
def _jobs_settings(monkeypatch):
    """The jobs run in the test's process with the environment's settings: the app's key."""
    monkeypatch.setenv("ECOUTE_SECRET_KEY", "test-secret-key")
    monkeypatch.setenv("ECOUTE_ANALYSIS", "off")
    monkeypatch.setenv("ECOUTE_HTTP_RETRIES", "1")


@pytest.fixture
def feed():
    with running_feed_server() as server:
        server.serve("feed__rss2.xml")
        yield server


@pytest.fixture
def owner(app, db, workspace):
    return session_client(app, db, workspace, "owner")


def post(client, path, data=None):
    return client.post(path, data={**(data or {}), "csrf_token": csrf_for(client)})


def source(db, workspace, name) -> Source:
    with db.session() as session:
        return session.scalar(select(Source).where(Source.workspace_id == workspace.id, Source.name == name))


def card(html: str, name: str) -> str:
    found = re.search(rf'<article class="card source[^"]*" data-source="{name}".*?</article>', html, re.S)
    assert found, f"no card for {name}"
    return found.group(0)


def mention_count(db, workspace) -> int:
    with db.session() as session:
        query = select(func.count()).select_from(Mention).where(Mention.workspace_id == workspace.id)
        return session.scalar(query)


def test_a_feed_is_added_tested_polled_and_removed_with_its_mentions_kept(db, workspace, owner, feed):
    with db.session() as session:
        repo.add_brand(session, workspace.id, "Acme", query="acme")

    added = post(owner, "/w/acme/sources", {"kind": "rss", "name": "news", "url": feed.url, "brand": "Acme"})
    sid = source(db, workspace, "news").id
    tested = post(owner, f"/w/acme/sources/{sid}/test")
    stored_by_test = mention_count(db, workspace)
    post(owner, f"/w/acme/sources/{sid}/poll")
    polled = owner.get("/w/acme/sources").text
    stored = mention_count(db, workspace)
    unconfirmed = post(owner, f"/w/acme/sources/{sid}/remove", {"confirm": "wrong"})
    removed = post(owner, f"/w/acme/sources/{sid}/remove", {"confirm": "news"})

    assert added.status_code == 200 and 'data-added="news"' in added.text
    assert tested.status_code == 200 and 'data-result="ok"' in tested.text and "feed read:" in tested.text
    assert stored_by_test == 0  # a test stores nothing
    assert 'data-state="healthy"' in card(polled, "news")
    assert stored > 0 and f"data-items-today>{stored}<" in card(polled, "news")
    assert unconfirmed.status_code == 400 and 'data-error="confirm"' in unconfirmed.text
    assert removed.status_code == 303 and source(db, workspace, "news") is None
    assert mention_count(db, workspace) == stored


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"kind": "rss", "name": "feed"}, "url"),
        ({"kind": "rss", "name": "feed", "url": "ftp://example.org/feed"}, "url"),
        ({"kind": "rss", "name": "", "url": "https://example.org/feed"}, "name"),
        ({"kind": "mastodon", "name": "m", "instance": "https://m.example"}, "access_token"),
        ({"kind": "mastodon", "name": "m", "instance": "m.example", "access_token": "t"}, "instance"),
        ({"kind": "bluesky", "name": "b", "app_password": "p"}, "identifier"),
        ({"kind": "rss", "name": "feed", "url": "https://example.org/feed", "brand": "Nope"}, "brand"),
        ({"kind": "nope", "name": "x"}, "type"),
    ],
)
def test_bad_input_comes_back_as_the_form_with_the_fields_error(db, workspace, owner, form, field):
    answer = post(owner, "/w/acme/sources", form)

    assert answer.status_code == 400
    assert f'data-error="{field}"' in answer.text
    assert source(db, workspace, form["name"]) is None


def test_a_taken_name_and_a_secret_never_echoed(db, workspace, owner):
    post(owner, "/w/acme/sources", {"kind": "rss", "name": "feed", "url": "https://example.org/feed"})

    taken = post(owner, "/w/acme/sources", {"kind": "rss", "name": "feed", "url": "https://example.org/b"})
    refused = post(
        owner, "/w/acme/sources", {"kind": "mastodon", "name": "m", "access_token": "tok-do-not-echo"}
    )

    assert taken.status_code == 400 and 'data-error="name"' in taken.text
    assert refused.status_code == 400 and "tok-do-not-echo" not in refused.text


def test_a_webhook_source_shows_its_address_and_secret_once(db, workspace, owner):
    added = post(owner, "/w/acme/sources", {"kind": "webhook", "name": "shop"})
    later = owner.get("/w/acme/sources").text

    secret = re.search(r'<code id="new-secret">(whsec_[^<]+)</code>', added.text).group(1)
    assert "/hooks/acme/shop" in added.text
    assert secret not in later
    assert secret not in str(source(db, workspace, "shop").settings)
    assert 'data-state="new"' in card(later, "shop") and 'data-action="test"' not in card(later, "shop")


def test_the_state_is_said_in_words_in_the_readers_language(db, workspace, owner):
    post(owner, "/w/acme/sources", {"kind": "rss", "name": "limited", "url": "https://example.org/a"})
    post(owner, "/w/acme/sources", {"kind": "rss", "name": "flaky", "url": "https://example.org/b"})
    post(owner, "/w/acme/sources", {"kind": "rss", "name": "resting", "url": "https://example.org/c"})
    with db.session() as session:
        for row in session.scalars(select(Source).where(Source.workspace_id == workspace.id)):
            row.health, row.consecutive_failures = {
                "limited": ("rate_limited", 1),
                "flaky": ("failing", 3),
            }.get(row.name, ("ok", 0))
            row.next_poll_at = utcnow() + timedelta(minutes=20)
            row.last_error = (
                "GET https://example.org/b: 503 Service Unavailable\nTraceback (most recent call last):"
            )
    resting = source(db, workspace, "resting").id
    post(owner, f"/w/acme/sources/{resting}/pause")

    english = owner.get("/w/acme/sources", headers={"Accept-Language": "en"}).text
    french = owner.get("/w/acme/sources", headers={"Accept-Language": "fr"}).text

    assert "rate limit until" in card(english, "limited")
    assert "Backing off after 3 failed" in card(english, "flaky")
    assert "503 Service Unavailable" in card(english, "flaky") and "Traceback" not in english
    assert 'data-state="paused"' in card(english, "resting") and 'data-action="resume"' in card(
        english, "resting"
    )
    assert "jusqu’à" in card(french, "limited") and "En pause" in card(french, "resting")


def test_an_agent_reads_the_page_but_cannot_change_a_source(app, db, workspace, owner):
    post(owner, "/w/acme/sources", {"kind": "webhook", "name": "shop"})
    sid = source(db, workspace, "shop").id
    agent = session_client(app, db, workspace, "agent")

    page = agent.get("/w/acme/sources")
    answers = [
        post(agent, "/w/acme/sources", {"kind": "webhook", "name": "other"}).status_code,
        post(agent, f"/w/acme/sources/{sid}/pause").status_code,
        post(agent, f"/w/acme/sources/{sid}/remove", {"confirm": "shop"}).status_code,
    ]

    assert page.status_code == 200 and 'data-source="shop"' in page.text
    assert 'data-add="rss"' not in page.text and 'data-action="pause"' not in page.text
    assert 'data-nav="sources"' not in page.text  # the navigation links it for admins
    assert 'data-nav="sources"' in owner.get("/w/acme/sources").text
    assert answers == [403, 403, 403]
    assert source(db, workspace, "shop") is not None


def test_another_workspaces_source_ids_are_404(app, db, workspace, other_workspace, owner):
    stranger = session_client(app, db, other_workspace, "owner")
    post(stranger, "/w/globex/sources", {"kind": "webhook", "name": "theirs"})
    with db.session() as session:
        theirs = session.scalar(select(Source.id).where(Source.name == "theirs"))

    answers = [
        post(owner, f"/w/acme/sources/{theirs}/{action}", {"confirm": "theirs"}).status_code
        for action in ("test", "poll", "pause", "resume", "reconnect", "remove")
    ]

    assert answers == [404] * 6
    assert source(db, other_workspace, "theirs").paused is False


def test_reconnecting_without_the_credential_is_refused_by_field(db, workspace, owner):
    post(owner, "/w/acme/sources", {"kind": "webhook", "name": "shop"})
    form = {"kind": "mastodon", "name": "masto", "instance": "https://m.example", "access_token": "t"}
    post(owner, "/w/acme/sources", form)

    empty = post(
        owner, f"/w/acme/sources/{source(db, workspace, 'masto').id}/reconnect", {"access_token": " "}
    )
    nothing_to_give = post(owner, f"/w/acme/sources/{source(db, workspace, 'shop').id}/reconnect")

    assert empty.status_code == 400 and 'data-error="access_token"' in card(empty.text, "masto")
    assert nothing_to_give.status_code == 400
