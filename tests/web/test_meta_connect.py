""" "Connect with Facebook" for Facebook Pages and Instagram accounts, through the real app
in-process against a local Graph API (tests/fake_meta_login.py): consent, the code exchanged,
the user token made long-lived, the Pages listed, one picked on a page held server-side; the
source then polls that same Graph with the Page token it was given. An expired, spent or someone
else's choice, a Page not listed, Graph refusing the code or the listing, and an account with no
Page all end in words with nothing stored; no token reaches a page, an API answer, the audit log,
an address or a log line. Both databases."""

from __future__ import annotations

import dataclasses
import logging
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import func, select, update

from ecoute.auth import api_tokens
from ecoute.settings import Settings
from ecoute.sources.connect import flow, providers
from ecoute.sources.connect.models import OAuthChoice, OAuthState
from ecoute.sources.credentials import secret
from ecoute.sources.meta import FacebookSource, InstagramSource
from ecoute.sources.meta.api import GRAPH_VERSION
from ecoute.store import repo
from ecoute.store.models import AuditEvent, Source
from ecoute.store.types import utcnow
from fake_meta import IG_USER_ID, PAGE_ID, PAGE_TOKEN, POST, VERSION, fixture
from fake_meta_login import FakeMetaLogin, graph_error, running_meta_login
from fake_oauth import CLIENT_ID, CLIENT_SECRET
from web_helpers import post_form, session_client, walk

PUBLIC = "http://testserver"
APP = Settings({"secret_key": "test-secret-key"})  # the app's key (tests/web/conftest.py)
APP_ENV = Settings({"secret_key": "test-secret-key", "http_retries": "1"})  # reads ECOUTE_OAUTH_*
CATERING, BOUTIQUE, BOUTIQUE_IG = "104233391230002", "104233391230003", "17841400000000077"
CHOOSE = "/w/acme/sources/connect/choose"


@pytest.fixture
def meta(monkeypatch):
    """Meta's provider pointed at the local Graph (dialog, token endpoint and API on one server)."""
    with running_meta_login() as server:
        provider = providers.PROVIDERS["meta"]
        moved = dataclasses.replace(provider, authorize_url=server.authorize_url, token_url=server.token_url)
        monkeypatch.setitem(providers.PROVIDERS, "meta", moved)
        monkeypatch.setenv("ECOUTE_OAUTH_META_CLIENT_ID", CLIENT_ID)
        monkeypatch.setenv("ECOUTE_OAUTH_META_CLIENT_SECRET", CLIENT_SECRET)
        monkeypatch.setenv("ECOUTE_PUBLIC_URL", PUBLIC)
        monkeypatch.setenv("ECOUTE_HTTP_RETRIES", "1")
        yield server


@pytest.fixture
def admin(app, db, workspace):
    return session_client(app, db, workspace, "admin")


def start(client, kind="facebook", name="Café page", **fields):
    return post_form(client, "/w/acme/sources/connect", {"kind": kind, "name": name, **fields})


def choose(client, choice: str):
    return post_form(client, CHOOSE, {"choice": choice})


def count(db, model) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(model))


def settings_of(db, name: str) -> dict:
    with db.session() as session:
        return dict(session.scalars(select(Source).where(Source.name == name)).one().settings)


def secrets_of(server: FakeMetaLogin) -> list[str]:
    return [*server.user_tokens(), *(row["access_token"] for row in server.accounts), CLIENT_SECRET]


def test_a_facebook_page_is_connected_by_picking_it_and_then_polled_with_its_page_token(
    db, workspace, admin, meta, caplog
):
    caplog.set_level(logging.DEBUG)
    started = start(admin, posts="5")
    asked = {k: v[0] for k, v in parse_qs(urlsplit(started.headers["location"]).query).items()}

    listing, visited = walk(admin, started, meta.url)

    assert started.headers["location"].startswith(f"{meta.url}/{GRAPH_VERSION}/dialog/oauth?")
    assert asked["client_id"] == CLIENT_ID and asked["redirect_uri"] == f"{PUBLIC}/oauth/callback"
    assert asked["scope"] == (
        "pages_show_list,pages_read_engagement,pages_read_user_content,pages_manage_engagement,"
        "pages_manage_metadata,business_management"
    )
    assert "code_challenge" not in asked and len(asked["state"]) >= 40
    assert visited[-1] == CHOOSE and listing.status_code == 200
    assert f"form-action 'self' {meta.url}" in admin.get("/w/acme/sources").headers["content-security-policy"]
    # The code and the short-lived token were exchanged in form bodies; Pages were listed with
    # the long-lived token only, signed with the app's secret.
    exchanges = [
        parse_qs(raw.decode()) for m, p, _h, raw in meta.requests if p.endswith("/oauth/access_token")
    ]
    assert [e["client_secret"] for e in exchanges] == [[CLIENT_SECRET], [CLIENT_SECRET]]
    assert exchanges[1]["grant_type"] == ["fb_exchange_token"]
    assert meta.listed_with == list(meta.long_lived) and len(meta.long_lived) == 1
    assert meta.calls(f"/{VERSION}/me/accounts")[0]["appsecret_proof"][0]
    # All three Pages, the one whose tasks lack what replying needs said so; no token on the page.
    assert all(f'data-choice="{page}"' in listing.text for page in (PAGE_ID, CATERING, BOUTIQUE))
    assert (
        'data-missing="MODERATE CREATE_CONTENT"' in listing.text and "replies may be refused" in listing.text
    )
    assert 'data-missing="CREATE_CONTENT"' in listing.text  # the boutique: MODERATE only
    assert count(db, OAuthState) == 0 and count(db, OAuthChoice) == 1 and count(db, Source) == 0
    with db.session() as session:  # the list is held sealed: no token readable in the database
        held = repr([(c.pending, c.choices_sealed) for c in session.scalars(select(OAuthChoice))])
    assert not any(value in held for value in secrets_of(meta)) and "Café page" in held

    done, back = walk(admin, choose(admin, PAGE_ID), meta.url)

    assert 'data-connect="connected"' in done.text and "“Café page”" in done.text
    settings = settings_of(db, "Café page")
    assert settings["page_id"] == PAGE_ID and settings["posts"] == "5" and settings["api_base"] == meta.url
    assert secret(settings, "access_token", APP) == PAGE_TOKEN
    assert secret(settings, "app_secret", APP) == CLIENT_SECRET
    assert count(db, OAuthChoice) == 0
    # The user tokens are not kept: only the Page token (sealed) and the app's secret (sealed).
    assert {k for k in settings if k.endswith("_sealed")} == {"access_token_sealed", "app_secret_sealed"}

    # The connected source hears the Page with what was stored.
    polled = FacebookSource(APP, sleep=lambda _s: None).poll(settings, {})
    assert len(polled.items) >= 3 and f"/{VERSION}/{POST}/comments" in meta.paths()

    # Nowhere to be read: pages, API answers, the audit log, the addresses visited, logs.
    with db.session() as session:
        bearer, _ = api_tokens.create_token(session, workspace.id, name="reader", role="owner")
        audit = repr([(a.before, a.after) for a in session.scalars(select(AuditEvent))])
    api = admin.get("/api/v1/sources", headers={"Authorization": f"Bearer {bearer}"})
    assert api.status_code == 200 and "Café page" in api.text
    logged = "\n".join(f"{r.getMessage()} {r.__dict__!r}" for r in caplog.records)
    shown = [listing.text, done.text, admin.get("/w/acme/sources").text, api.text, audit, logged]
    for value in secrets_of(meta):
        assert not any(value in text for text in [*shown, *visited, *back]), (
            "a token or the app secret leaked"
        )

    again = choose(admin, PAGE_ID)
    assert again.status_code == 400 and "nothing to choose" in again.text
    assert count(db, Source) == 1


def test_instagram_lists_only_pages_with_a_business_account_and_follows_the_paging(
    db, workspace, admin, meta
):
    meta.page_size = 1  # Graph may answer fewer rows than asked: three pages of one Page

    listing, _ = walk(admin, start(admin, kind="instagram", name="Insta"), meta.url)

    scope = parse_qs(urlsplit(meta.requests[0][1]).query)["scope"][0].split(",")
    assert scope[-2:] == ["instagram_basic", "instagram_manage_comments"] and "pages_show_list" in scope
    assert [c.get("after", [""])[0] for c in meta.calls(f"/{VERSION}/me/accounts")] == ["", "c1", "c2"]
    assert 'data-choice="17841400000000001"' in listing.text and "@cafelumiere" in listing.text
    assert f'data-choice="{BOUTIQUE_IG}"' in listing.text and "@lumiere.boutique" in listing.text
    assert "Lumière Traiteur" not in listing.text  # no Instagram account linked to it
    french = admin.get(CHOOSE, headers={"Accept-Language": "fr"}).text
    assert "Choisir le compte Instagram" in french and "Connecter la sélection" in french
    assert "ne comprend pas CREATE_CONTENT" in french  # the boutique's Page: MODERATE only

    done, _ = walk(admin, choose(admin, IG_USER_ID), meta.url)

    assert 'data-connect="connected"' in done.text
    settings = settings_of(db, "Insta")
    assert settings["ig_user_id"] == IG_USER_ID and "page_id" not in settings
    assert secret(settings, "access_token", APP) == PAGE_TOKEN  # the linked Page's token
    polled = InstagramSource(APP, sleep=lambda _s: None).poll(settings, {})
    assert polled.items and f"/{VERSION}/{IG_USER_ID}/media" in meta.paths()


@pytest.mark.parametrize(("kind", "accounts"), [("facebook", []), ("instagram", "no instagram")])
def test_an_account_without_a_page_to_connect_is_told_so(db, workspace, admin, meta, kind, accounts):
    if accounts:  # Pages, none linked to an Instagram business account
        meta.accounts = [
            {k: v for k, v in row.items() if k != "instagram_business_account"} for row in meta.accounts
        ]
    else:
        meta.accounts = []

    page, _ = walk(admin, start(admin, kind=kind), meta.url)

    assert 'data-connect="no_pages"' in page.text and "lists no Page to connect" in page.text
    assert count(db, Source) == 0 and count(db, OAuthChoice) == 0


def test_an_expired_choice_returns_to_the_page_with_nothing_stored(db, workspace, admin, meta):
    walk(admin, start(admin), meta.url)
    with db.session() as session:
        session.execute(update(OAuthChoice).values(expires_at=utcnow() - timedelta(seconds=1)))

    page, _ = walk(admin, choose(admin, PAGE_ID), meta.url)

    assert 'data-connect="expired"' in page.text
    assert count(db, Source) == 0 and count(db, OAuthChoice) == 0


def test_someone_elses_choice_is_out_of_reach_and_stays_theirs(app, db, workspace, admin, meta):
    walk(admin, start(admin), meta.url)
    colleague = session_client(app, db, workspace, "admin")

    seen, taken = colleague.get(CHOOSE), choose(colleague, PAGE_ID)

    assert seen.status_code == 400 and taken.status_code == 400 and "nothing to choose" in taken.text
    assert PAGE_ID not in seen.text and count(db, Source) == 0
    done, _ = walk(admin, choose(admin, PAGE_ID), meta.url)
    assert 'data-connect="connected"' in done.text


def test_a_page_that_was_not_listed_is_refused_and_spends_the_choice(db, workspace, admin, meta):
    walk(admin, start(admin), meta.url)

    page, _ = walk(admin, choose(admin, "999999999"), meta.url)

    assert 'data-connect="invalid"' in page.text and "999999999 was not among those listed" in page.text
    assert count(db, Source) == 0 and count(db, OAuthChoice) == 0


def test_only_admins_reach_the_choice(app, db, workspace, admin, meta):
    walk(admin, start(admin), meta.url)
    agent = session_client(app, db, workspace, "agent")

    assert agent.get(CHOOSE).status_code == 403 and choose(agent, PAGE_ID).status_code == 403
    assert count(db, OAuthChoice) == 1


@pytest.mark.parametrize(
    ("failure", "words"),
    [
        (
            graph_error("This authorization code has been used.", 100, 36009),
            "Facebook refused the authorization code (OAuthException 100/36009)",
        ),
        (graph_error("Error validating client secret.", 1), "(OAuthException 1)"),
    ],
)
def test_graph_refusing_the_code_is_said_in_words(db, workspace, admin, meta, failure, words):
    back = httpx.get(start(admin).headers["location"], follow_redirects=False).headers["location"]
    meta.fail_with(400, {"Content-Type": "application/json"}, failure)

    page, _ = walk(admin, admin.get(urlsplit(back).path + "?" + urlsplit(back).query), meta.url)

    assert 'data-connect="token_failed"' in page.text and words in page.text
    assert count(db, Source) == 0 and count(db, OAuthChoice) == 0


def test_graph_refusing_the_page_listing_is_said_and_stores_nothing(db, workspace, admin, meta):
    meta.accounts_error = (400, fixture("facebook", "error__permission.json"))

    page, _ = walk(admin, start(admin), meta.url)

    assert 'data-connect="token_failed"' in page.text and "Facebook did not list the Pages" in page.text
    assert "Graph code 200: a Page permission was not granted, or the login lapsed" in page.text
    assert count(db, Source) == 0 and count(db, OAuthChoice) == 0


def test_consent_refused_on_facebook_stores_nothing(db, workspace, admin, meta):
    meta.consent = "deny"

    page, _ = walk(admin, start(admin), meta.url)

    assert 'data-connect="denied"' in page.text and "access_denied" in page.text
    assert count(db, Source) == 0 and count(db, OAuthState) == 0 and count(db, OAuthChoice) == 0


def _page_source(db, workspace, page_id: str) -> int:
    with db.session() as session:
        source = repo.ensure_source(
            session,
            workspace.id,
            "Old page",
            kind="facebook",
            platform="facebook",
            settings={"page_id": page_id, "access_token_sealed": "stale"},
        )
        source.health, source.last_error = "needs_reconnect", "Graph code 190"
        return source.id


def test_reconnecting_a_page_takes_its_new_token_without_asking_again(db, workspace, admin, meta):
    source_id = _page_source(db, workspace, PAGE_ID)
    assert "Reconnect with Facebook" in admin.get("/w/acme/sources").text

    page, _ = walk(admin, post_form(admin, f"/w/acme/sources/{source_id}/connect"), meta.url)

    assert 'data-connect="reconnected"' in page.text and count(db, OAuthChoice) == 0
    with db.session() as session:
        source = session.get(Source, source_id)
        assert source.health == "ok" and source.settings["page_id"] == PAGE_ID
        assert secret(source.settings, "access_token", APP) == PAGE_TOKEN


def test_reconnecting_with_an_account_that_no_longer_manages_the_page_changes_nothing(
    db, workspace, admin, meta
):
    source_id = _page_source(db, workspace, "104233391239999")

    page, _ = walk(admin, post_form(admin, f"/w/acme/sources/{source_id}/connect"), meta.url)

    assert 'data-connect="not_listed"' in page.text
    with db.session() as session:
        source = session.get(Source, source_id)
        assert source.health == "needs_reconnect" and source.settings["access_token_sealed"] == "stale"


def test_the_connect_form_reads_the_fields_its_connection_declares(db, workspace, admin, meta):
    too_long = start(admin, posts="9" * 501)
    page = admin.get("/w/acme/sources")

    assert too_long.status_code == 400 and 'data-error="posts"' in too_long.text
    assert "at most 500 characters (got 501)" in too_long.text
    assert "Facebook Page (Connect with Facebook)" in page.text
    assert "Instagram account (Connect with Facebook)" in page.text

    walk(admin, start(admin, posts="3", channel_id="UCnot-a-facebook-setting"), meta.url)
    walk(admin, choose(admin, PAGE_ID), meta.url)
    settings = settings_of(db, "Café page")
    assert settings["posts"] == "3" and "channel_id" not in settings


def test_graph_s_token_endpoint_refuses_like_meta_and_the_words_say_why(meta):
    provider = dataclasses.replace(providers.PROVIDERS["meta"], token_url=meta.token_url)
    wrong_secret = Settings({"secret_key": "k", "http_retries": "1", "oauth_meta_client_secret": "not-it"})
    redirect = f"{PUBLIC}/oauth/callback"

    def code() -> str:
        url = f"{meta.authorize_url}?client_id={CLIENT_ID}&response_type=code&redirect_uri={redirect}&state=s"
        return parse_qs(urlsplit(httpx.get(url).headers["location"]).query)["code"][0]

    first, moved = code(), code()
    tokens = flow.exchange_code(provider, APP_ENV, code=first, redirect_uri=redirect, verifier=None)
    failures = []
    for attempt in (
        lambda: flow.exchange_code(provider, APP_ENV, code=first, redirect_uri=redirect, verifier=None),
        lambda: flow.exchange_code(provider, APP_ENV, code=moved, redirect_uri=PUBLIC, verifier=None),
        lambda: flow.exchange_code(provider, wrong_secret, code=code(), redirect_uri=redirect, verifier=None),
        lambda: flow.exchange_long_lived(provider, APP_ENV, access_token="EAAforged"),
    ):
        with pytest.raises(flow.ExchangeFailed) as failed:
            attempt()
        failures.append(failed.value.reason)

    assert tokens["access_token"] in meta.short_lived and "refresh_token" not in tokens
    assert failures == [
        "Facebook refused the authorization code (OAuthException 100/36009)",  # used once already
        "Facebook refused the authorization code (OAuthException 100/36008)",  # another redirect_uri
        "Facebook refused the authorization code (OAuthException 1)",  # not the app's secret
        "Facebook refused a long-lived token (OAuthException 190)",  # not a token it handed out
    ]
    long_lived = flow.exchange_long_lived(provider, APP_ENV, access_token=tokens["access_token"])
    assert long_lived["access_token"] in meta.long_lived and long_lived["expires_in"] > 86400
