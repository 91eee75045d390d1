"""``/api/v1/sources`` on both databases: listing with the figures the Sources page shows, adding
(the settings checked by name, secrets never returned but a webhook's, once), pausing, resuming
and removing; agents read but do not change; another workspace's ids are 404. Every answer is
checked against /openapi.json by the client."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from ecoute.auth import api_tokens
from ecoute.store.models import AuditEvent, Source
from openapi_check import ApiClient

MASTODON = {"instance": "https://mastodon.example", "access_token": "tok-secret-123"}


@pytest.fixture
def tokens(db, workspace, other_workspace) -> dict[str, str]:
    made = {}
    with db.session() as session:
        for role in ("owner", "agent"):
            made[role], _ = api_tokens.create_token(session, workspace.id, name=role, role=role)
        made["other"], _ = api_tokens.create_token(session, other_workspace.id, name="other", role="owner")
    return made


def test_an_owner_adds_lists_pauses_resumes_and_removes_a_source(api: ApiClient, db, workspace, tokens):
    owner = api.as_token(tokens["owner"])

    added = owner.post("/api/v1/sources", json={"name": "masto", "type": "mastodon", "settings": MASTODON})
    sid = added.json()["id"]
    listed = owner.get("/api/v1/sources")
    paused = owner.post(f"/api/v1/sources/{sid}/pause")
    resumed = owner.post(f"/api/v1/sources/{sid}/resume")
    removed = owner.delete(f"/api/v1/sources/{sid}")
    gone = owner.get(f"/api/v1/sources/{sid}")
    with db.session() as session:
        actions = sorted(session.scalars(select(AuditEvent.action).where(AuditEvent.target_type == "source")))
        stored = session.scalar(select(func.count()).select_from(Source))

    assert added.status_code == 201
    assert added.json()["state"] == "new" and added.json()["webhook_secret"] is None
    assert "tok-secret-123" not in added.text + listed.text
    assert [s["name"] for s in listed.json()["items"]] == ["masto"]
    assert listed.json()["items"][0]["items_today"] == 0
    assert paused.json()["state"] == "paused" and paused.json()["paused"] is True
    assert resumed.json()["state"] == "new" and resumed.json()["next_poll_at"] is None
    assert removed.status_code == 204 and gone.status_code == 404
    assert actions == ["source.add", "source.pause", "source.remove", "source.resume"]
    assert stored == 0


def test_a_webhook_source_returns_its_secret_once(api: ApiClient, db, workspace, tokens):
    owner = api.as_token(tokens["owner"])

    added = owner.post("/api/v1/sources", json={"name": "shop", "type": "webhook"})
    again = owner.get(f"/api/v1/sources/{added.json()['id']}")
    with db.session() as session:
        settings = session.scalar(select(Source.settings).where(Source.name == "shop"))

    secret = added.json()["webhook_secret"]
    assert secret.startswith("whsec_")
    assert secret not in again.text and secret not in json.dumps(settings)


def test_bad_settings_are_refused_naming_the_field(api: ApiClient, tokens):
    owner = api.as_token(tokens["owner"])

    missing = owner.post(
        "/api/v1/sources", json={"name": "sky", "type": "bluesky", "settings": {"identifier": "a"}}
    )
    not_a_url = owner.post(
        "/api/v1/sources", json={"name": "feed", "type": "rss", "settings": {"url": "ftp://x"}}
    )
    unknown = owner.post(
        "/api/v1/sources", json={"name": "feed", "type": "rss", "settings": {"colour": "red"}}
    )
    owner.post(
        "/api/v1/sources", json={"name": "feed", "type": "rss", "settings": {"url": "https://a.example/f"}}
    )
    taken = owner.post(
        "/api/v1/sources", json={"name": "feed", "type": "rss", "settings": {"url": "https://b.example"}}
    )

    assert missing.status_code == 422 and missing.json()["detail"][0]["loc"] == [
        "body",
        "settings",
        "app_password",
    ]
    assert not_a_url.status_code == 422 and not_a_url.json()["detail"][0]["loc"][-1] == "url"
    assert unknown.status_code == 422
    assert taken.status_code == 409


def test_an_agent_reads_but_cannot_add_or_remove(api: ApiClient, db, workspace, tokens):
    owner, agent = api.as_token(tokens["owner"]), api.as_token(tokens["agent"])
    sid = owner.post("/api/v1/sources", json={"name": "shop", "type": "webhook"}).json()["id"]

    listed = agent.get("/api/v1/sources")
    added = agent.post("/api/v1/sources", json={"name": "other", "type": "webhook"})
    paused = agent.post(f"/api/v1/sources/{sid}/pause")
    removed = agent.delete(f"/api/v1/sources/{sid}")

    assert listed.status_code == 200 and len(listed.json()["items"]) == 1
    assert (added.status_code, paused.status_code, removed.status_code) == (403, 403, 403)


def test_another_workspaces_sources_are_404(api: ApiClient, db, workspace, tokens):
    sid = (
        api.as_token(tokens["owner"])
        .post("/api/v1/sources", json={"name": "shop", "type": "webhook"})
        .json()["id"]
    )
    other = api.as_token(tokens["other"])

    answers = [
        other.get(f"/api/v1/sources/{sid}").status_code,
        other.post(f"/api/v1/sources/{sid}/pause").status_code,
        other.post(f"/api/v1/sources/{sid}/resume").status_code,
        other.delete(f"/api/v1/sources/{sid}").status_code,
    ]
    listed = other.get("/api/v1/sources")
    with db.session() as session:
        still = session.scalar(select(Source.paused).where(Source.id == sid))

    assert answers == [404, 404, 404, 404]
    assert listed.json()["items"] == [] and still is False
