"""Adding review sources from the Sources page: Trustpilot (a domain and an API key, sealed) and
Google reviews (a location and its OAuth client), each field named when missing, the reviews
kept whether they name the brand or not, and the test run against the platform."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ecoute.store.models import Source
from fake_trustpilot import API_KEY, DOMAIN, UNIT, running_trustpilot
from web_helpers import csrf_for, session_client


@pytest.fixture(autouse=True)
def _jobs_settings(monkeypatch):
    monkeypatch.setenv("ECOUTE_SECRET_KEY", "test-secret-key")
    monkeypatch.setenv("ECOUTE_HTTP_RETRIES", "1")


@pytest.fixture
def owner(app, db, workspace):
    return session_client(app, db, workspace, "owner")


def post(client, path, data=None):
    return client.post(path, data={**(data or {}), "csrf_token": csrf_for(client)})


def stored(db, workspace, name) -> Source | None:
    with db.session() as session:
        return session.scalar(select(Source).where(Source.workspace_id == workspace.id, Source.name == name))


def test_a_trustpilot_source_is_added_sealed_and_tested(db, workspace, owner):
    page = owner.get("/w/acme/sources", headers={"Accept-Language": "fr"}).text
    added = post(
        owner, "/w/acme/sources", {"kind": "trustpilot", "name": "tp", "domain": DOMAIN, "api_key": API_KEY}
    )

    source = stored(db, workspace, "tp")
    assert "Les avis Trustpilot (les vôtres ou d’un concurrent)" in page
    assert added.status_code in (200, 303) and API_KEY not in added.text
    assert source.settings["keep_unmatched"] is True and source.settings["domain"] == DOMAIN
    assert "api_key" not in source.settings and API_KEY not in str(source.settings)
    with running_trustpilot() as server:
        with db.session() as session:
            row = session.get(Source, source.id)
            row.settings = {**row.settings, "api_base": server.url}
        tested = post(owner, f"/w/acme/sources/{source.id}/test", {})
    assert f"business unit {UNIT} answers with reviews" in tested.text


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"kind": "trustpilot", "name": "tp", "api_key": API_KEY}, "domain"),
        (
            {"kind": "google_reviews", "name": "g", "account_id": "1", "refresh_token": "rt-do-not-echo"},
            "location_id",
        ),
    ],
)
def test_a_missing_field_comes_back_named(db, workspace, owner, form, field):
    answer = post(owner, "/w/acme/sources", form)

    assert answer.status_code == 400 and f'data-error="{field}"' in answer.text
    assert stored(db, workspace, form["name"]) is None
    assert "rt-do-not-echo" not in answer.text
