""" "Connect with <platform>" through the real app in-process, against a local OAuth server
(tests/fake_oauth.py): the whole flow creates a source whose refresh token is sealed and works;
a replayed, forged, expired or someone else's state, a refused consent, a token endpoint failing
and a code injected into another flow (PKCE) all end in words on the page with nothing stored;
tokens appear in no page, API answer, audit entry or log. Both databases."""

from __future__ import annotations

import dataclasses
import logging
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import func, select, update

import web_helpers
from ecoute.auth import api_tokens
from ecoute.settings import Settings
from ecoute.sources.connect import providers
from ecoute.sources.connect.models import OAuthState
from ecoute.sources.credentials import secret
from ecoute.sources.reddit.api import Grant, RedditApi
from ecoute.sources.x.api import UserGrant, XApi
from ecoute.store import repo
from ecoute.store.models import AuditEvent, Source
from ecoute.store.types import utcnow
from fake_oauth import CLIENT_ID, CLIENT_SECRET, FakeOAuth, running_oauth
from web_helpers import csrf_for, session_client

PUBLIC = "http://testserver"
SECRET_KEY = "test-secret-key"  # the app's (tests/web/conftest.py)


@pytest.fixture
def reddit(monkeypatch):
    """Reddit's provider pointed at a local server speaking Reddit's flavour (Basic auth, no PKCE)."""
    with running_oauth(client_auth="basic", pkce=False, token_path="/api/v1/access_token") as server:
        _point(monkeypatch, "reddit", server)
        yield server


@pytest.fixture
def google(monkeypatch):
    """Google's provider pointed at a local server speaking Google's flavour (form auth, PKCE)."""
    with running_oauth(client_auth="post", pkce=True) as server:
        _point(monkeypatch, "google", server)
        yield server


@pytest.fixture
def x_oauth(monkeypatch):
    """X's provider pointed at a local server speaking X's flavour (Basic auth, PKCE, and each
    refresh revoking the refresh token it used)."""
    with running_oauth(client_auth="basic", pkce=True, rotate_refresh=True) as server:
        _point(monkeypatch, "x", server)
        yield server


def _point(monkeypatch, name: str, server: FakeOAuth) -> None:
    provider = providers.PROVIDERS[name]
    moved = dataclasses.replace(provider, authorize_url=server.authorize_url, token_url=server.token_url)
    monkeypatch.setitem(providers.PROVIDERS, name, moved)
    monkeypatch.setenv(f"ECOUTE_OAUTH_{name.upper()}_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv(f"ECOUTE_OAUTH_{name.upper()}_CLIENT_SECRET", CLIENT_SECRET)
    monkeypatch.setenv("ECOUTE_PUBLIC_URL", PUBLIC)
    monkeypatch.setenv("ECOUTE_HTTP_RETRIES", "1")


@pytest.fixture
def admin(app, db, workspace):
    return session_client(app, db, workspace, "admin")


def post(client, path, data=None):
    return client.post(path, data={**(data or {}), "csrf_token": csrf_for(client)})


def walk(client, response, server: FakeOAuth) -> tuple[httpx.Response, list[str]]:
    return web_helpers.walk(client, response, server.url)


ASKS = {
    "reddit": {"username": "cafe_lumiere"},
    "youtube": {"channel_id": "UCbrand0000000000000000"},
    "x": {"username": "cafe_lumiere"},
    "google_reviews": {"account_id": "1234567890", "location_id": "987654321"},
}


def start(client, kind="reddit", name="Reddit brand", **asks):
    fields = ASKS[kind]
    return post(client, "/w/acme/sources/connect", {"kind": kind, "name": name, **fields, **asks})


def count(db, model) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_connecting_reddit_creates_a_source_whose_sealed_refresh_token_works(
    db, workspace, admin, reddit, caplog
):
    caplog.set_level(logging.DEBUG)
    started = start(admin, searches="Acme Café, r/france acme", subreddits="cafe")

    assert started.status_code == 303
    consent = urlsplit(started.headers["location"])
    asked = {k: v[0] for k, v in parse_qs(consent.query).items()}
    assert started.headers["location"].startswith(reddit.authorize_url)
    assert asked["client_id"] == CLIENT_ID and asked["response_type"] == "code"
    assert asked["redirect_uri"] == f"{PUBLIC}/oauth/callback"
    assert asked["duration"] == "permanent" and "privatemessages" in asked["scope"].split(" ")
    assert len(asked["state"]) >= 40 and "code_challenge" not in asked  # Reddit has no PKCE
    page, visited = walk(admin, started, reddit)

    assert page.status_code == 200 and 'data-connect="connected"' in page.text
    assert f"form-action 'self' {reddit.url};" in page.headers["content-security-policy"]
    assert "“Reddit brand”" in page.text and 'data-source="Reddit brand"' in page.text
    tokens = reddit.issued[0]
    with db.session() as session:
        source = session.scalars(select(Source).where(Source.name == "Reddit brand")).one()
        settings, source_id = dict(source.settings), source.id
    assert source.kind == "reddit" and settings["username"] == "cafe_lumiere"
    assert settings["searches"] == "Acme Café, r/france acme" and settings["subreddits"] == "cafe"
    assert settings["client_id"] == CLIENT_ID and settings["auth_base"] == reddit.url
    app_settings = Settings({"secret_key": SECRET_KEY})
    assert secret(settings, "refresh_token", app_settings) == tokens["refresh_token"]
    assert secret(settings, "client_secret", app_settings) == CLIENT_SECRET
    assert count(db, OAuthState) == 0  # used once, then gone
    # The Reddit connector gets access tokens from what was stored.
    grant = Grant(CLIENT_ID, CLIENT_SECRET, "cafe_lumiere", refresh_token=tokens["refresh_token"])
    with httpx.Client() as http:
        answer = RedditApi(
            grant, auth_base=settings["auth_base"], settings=app_settings, client=http
        )._obtain()
    assert answer["access_token"] == reddit.issued[1]["access_token"]

    # Nowhere to be read: not in pages, API answers, the audit log, the addresses visited or logs.
    with db.session() as session:
        bearer, _ = api_tokens.create_token(session, workspace.id, name="reader", role="owner")
        audit = repr([(a.before, a.after) for a in session.scalars(select(AuditEvent))])
    api = admin.get("/api/v1/sources", headers={"Authorization": f"Bearer {bearer}"})
    one = admin.get(f"/api/v1/sources/{source_id}", headers={"Authorization": f"Bearer {bearer}"})
    assert api.status_code == 200 and "Reddit brand" in api.text
    logged = "\n".join(f"{r.getMessage()} {r.__dict__!r}" for r in caplog.records)
    shown = [page.text, admin.get("/w/acme/sources").text, api.text, one.text, audit, logged, *visited]
    for value in [*reddit.secrets_issued()[:2], CLIENT_SECRET]:
        assert not any(value in text for text in shown), "a token or the client secret leaked"

    replay = admin.get(urlsplit(visited[-2]).path + "?" + urlsplit(visited[-2]).query)
    assert replay.status_code == 400 and "already used" in replay.text
    assert count(db, Source) == 1 and len(reddit.issued) == 2  # no second exchange


def test_google_uses_pkce_and_form_authentication_for_youtube(db, workspace, admin, google):
    started = start(admin, kind="youtube", name="Channel")
    asked = {k: v[0] for k, v in parse_qs(urlsplit(started.headers["location"]).query).items()}

    page, _ = walk(admin, started, google)

    assert asked["code_challenge_method"] == "S256" and len(asked["code_challenge"]) == 43
    assert asked["access_type"] == "offline" and asked["prompt"] == "consent"
    assert asked["scope"] == "https://www.googleapis.com/auth/youtube.force-ssl"
    exchange = parse_qs(google.requests[-1][3].decode())
    assert len(exchange["code_verifier"][0]) >= 43 and exchange["client_secret"] == [CLIENT_SECRET]
    assert 'data-connect="connected"' in page.text
    with db.session() as session:
        settings = session.scalars(select(Source).where(Source.kind == "youtube")).one().settings
    assert settings["channel_id"] == "UCbrand0000000000000000" and settings["token_url"] == google.token_url
    assert (
        secret(settings, "refresh_token", Settings({"secret_key": SECRET_KEY}))
        == google.issued[0]["refresh_token"]
    )


def test_a_code_injected_into_another_flow_fails_its_pkce_check(db, workspace, admin, google):
    first, second = start(admin, kind="youtube", name="One"), start(admin, kind="youtube", name="Two")
    back = httpx.get(first.headers["location"], follow_redirects=False).headers["location"]
    code = parse_qs(urlsplit(back).query)["code"][0]
    other_state = parse_qs(urlsplit(second.headers["location"]).query)["state"][0]

    answer = admin.get("/oauth/callback", params={"state": other_state, "code": code})
    page = admin.get(answer.headers["location"])

    assert answer.status_code == 303 and "connect=token_failed" in answer.headers["location"]
    assert 'data-connect="token_failed"' in page.text and "invalid_grant" in page.text
    assert google.requests[-1][3] and "code_verifier" in google.requests[-1][3].decode()
    assert count(db, Source) == 0 and google.issued == []


@pytest.mark.parametrize("state", ["", "forged-state-value-0123456789abcdef"])
def test_a_forged_or_missing_state_is_refused_in_words(db, workspace, admin, reddit, state):
    start(admin)  # a real flow is pending; the forged state must not reach it

    answer = admin.get("/oauth/callback", params={"state": state, "code": "anything"})

    assert answer.status_code == 400 and "This connection link is not valid" in answer.text
    assert count(db, Source) == 0 and reddit.issued == [] and count(db, OAuthState) == 1


def test_someone_elses_state_is_refused_and_spent(app, db, workspace, admin, reddit):
    started = start(admin)
    back = httpx.get(started.headers["location"], follow_redirects=False).headers["location"]
    colleague = session_client(app, db, workspace, "admin")

    answer = colleague.get(urlsplit(back).path + "?" + urlsplit(back).query)
    then = admin.get(urlsplit(back).path + "?" + urlsplit(back).query)

    assert answer.status_code == 400 and then.status_code == 400
    assert count(db, Source) == 0 and reddit.issued == []


def test_an_expired_state_returns_to_the_page_with_nothing_stored(db, workspace, admin, reddit):
    started = start(admin)
    with db.session() as session:
        session.execute(update(OAuthState).values(expires_at=utcnow() - timedelta(seconds=1)))

    page, _ = walk(admin, started, reddit)

    assert 'data-connect="expired"' in page.text and "expired" in page.text
    assert count(db, Source) == 0 and reddit.issued == [] and count(db, OAuthState) == 0


def test_consent_refused_on_the_platform_stores_nothing(db, workspace, admin, reddit):
    reddit.consent = "deny"

    page, _ = walk(admin, start(admin), reddit)

    assert (
        'data-connect="denied"' in page.text
        and "Access was refused on the platform (access_denied)" in page.text
    )
    assert count(db, Source) == 0 and count(db, OAuthState) == 0


@pytest.mark.parametrize(
    ("status", "body", "words"),
    [
        (400, {"error": "invalid_grant"}, "Reddit refused the authorization code (invalid_grant)"),
        (503, {"error": "temporarily_unavailable"}, "token endpoint did not answer properly"),
        (200, {"access_token": "at-only", "token_type": "bearer"}, "gave no refresh token"),
    ],
)
def test_a_token_endpoint_failure_is_said_and_stores_nothing(
    db, workspace, admin, reddit, status, body, words
):
    reddit.token_failure = (status, body)

    page, _ = walk(admin, start(admin), reddit)

    assert 'data-connect="token_failed"' in page.text and words in page.text
    assert count(db, Source) == 0


def test_reconnecting_replaces_the_refresh_token_of_a_source_that_needs_it(db, workspace, admin, reddit):
    with db.session() as session:
        source = repo.ensure_source(
            session,
            workspace.id,
            "Reddit brand",
            kind="reddit",
            platform="reddit",
            settings={"username": "cafe_lumiere"},
        )
        source.health, source.last_error = "needs_reconnect", "the token endpoint refused the grant"
        source_id = source.id
    assert "Reconnect with Reddit" in admin.get("/w/acme/sources").text

    page, _ = walk(admin, post(admin, f"/w/acme/sources/{source_id}/connect"), reddit)

    assert 'data-connect="reconnected"' in page.text
    with db.session() as session:
        source = session.get(Source, source_id)
        assert source.health == "ok" and source.last_error is None
        stored = secret(source.settings, "refresh_token", Settings({"secret_key": SECRET_KEY}))
    assert stored == reddit.issued[0]["refresh_token"] and count(db, Source) == 1


def test_only_admins_start_a_connection_and_a_taken_name_is_said_before_leaving(
    app, db, workspace, admin, reddit
):
    agent = session_client(app, db, workspace, "agent")
    assert (
        post(agent, "/w/acme/sources/connect", {"kind": "reddit", "name": "x", "username": "u"}).status_code
        == 403
    )
    start(admin, name="Taken")
    walk(admin, start(admin, name="Taken"), reddit)  # the first one, connected

    again = start(admin, name="Taken")

    assert again.status_code == 400 and "a source named &#39;Taken&#39; already exists" in again.text
    missing = post(admin, "/w/acme/sources/connect", {"kind": "reddit", "name": "New", "username": ""})
    assert missing.status_code == 400 and 'data-error="username"' in missing.text


def test_without_a_registered_app_the_page_says_what_to_set(db, workspace, admin, monkeypatch):
    monkeypatch.delenv("ECOUTE_OAUTH_REDDIT_CLIENT_ID", raising=False)

    page = admin.get("/w/acme/sources")
    refused = start(admin)
    unknown = post(admin, "/w/acme/sources/connect", {"kind": "bogus", "name": "x"})

    assert 'data-not-configured="reddit"' in page.text and "ECOUTE_OAUTH_REDDIT_CLIENT_ID" in page.text
    assert "form-action 'self';" in page.headers["content-security-policy"]
    assert refused.status_code == 400 and "Connecting with Reddit is not set up" in refused.text
    assert unknown.status_code == 400 and "Accounts of type bogus cannot be connected here" in unknown.text
    assert count(db, OAuthState) == 0


def test_connecting_x_keeps_both_tokens_and_the_connector_follows_the_rotation(
    db, workspace, admin, x_oauth, monkeypatch
):
    monkeypatch.setattr("ecoute.sources.x.api._REFRESH", {})
    monkeypatch.setattr("ecoute.sources.x.api._SEEDED", set())
    started = start(admin, kind="x", name="X brand", searches='"café lumière" -is:retweet')
    asked = {k: v[0] for k, v in parse_qs(urlsplit(started.headers["location"]).query).items()}

    page, _ = walk(admin, started, x_oauth)

    assert asked["code_challenge_method"] == "S256" and "offline.access" in asked["scope"].split(" ")
    assert "tweet.write" in asked["scope"].split(" ")
    assert 'data-connect="connected"' in page.text
    with db.session() as session:
        settings = dict(session.scalars(select(Source).where(Source.kind == "x")).one().settings)
    app_settings = Settings({"secret_key": SECRET_KEY})
    issued = x_oauth.issued[0]
    assert settings["username"] == "cafe_lumiere" and settings["searches"] == '"café lumière" -is:retweet'
    assert settings["client_id"] == CLIENT_ID and settings["token_url"] == x_oauth.token_url
    assert secret(settings, "refresh_token", app_settings) == issued["refresh_token"]
    assert secret(settings, "access_token", app_settings) == issued["access_token"]
    # The X connector starts with the access token handed out at connection, then refreshes
    # with the stored refresh token; X's answer rotates it, and the next refresh uses the new one.
    grant = UserGrant(CLIENT_ID, issued["access_token"], issued["refresh_token"], CLIENT_SECRET)
    with httpx.Client() as http:
        api = XApi(
            grant=grant,
            bearer_token=None,
            token_url=settings["token_url"],
            settings=app_settings,
            client=http,
        )
        assert api._obtain()["access_token"] == issued["access_token"]
        first = api._obtain()
        second = api._obtain()
    assert first["access_token"] == x_oauth.issued[1]["access_token"]
    assert second["access_token"] == x_oauth.issued[2]["access_token"]
    assert api.refresh_token == x_oauth.issued[2]["refresh_token"] != issued["refresh_token"]


def test_google_reviews_connect_with_the_business_scope_and_the_location(db, workspace, admin, google):
    started = start(admin, kind="google_reviews", name="Reviews")
    asked = {k: v[0] for k, v in parse_qs(urlsplit(started.headers["location"]).query).items()}

    page, _ = walk(admin, started, google)

    assert asked["scope"] == "https://www.googleapis.com/auth/business.manage"
    assert asked["access_type"] == "offline" and asked["code_challenge_method"] == "S256"
    assert 'data-connect="connected"' in page.text
    with db.session() as session:
        source = session.scalars(select(Source).where(Source.kind == "google_reviews")).one()
    settings = dict(source.settings)
    assert (settings["account_id"], settings["location_id"]) == ("1234567890", "987654321")
    assert settings["keep_unmatched"] is True  # a review is about the business, named or not
    assert (
        secret(settings, "refresh_token", Settings({"secret_key": SECRET_KEY}))
        == google.issued[0]["refresh_token"]
    )


def test_the_connect_forms_are_named_after_what_they_add(db, workspace, admin, google, x_oauth, reddit):
    page = admin.get("/w/acme/sources")

    assert "YouTube channel (Connect with Google)" in page.text
    assert "Google reviews (Connect with Google)" in page.text
    assert "X account (Connect with X)" in page.text
