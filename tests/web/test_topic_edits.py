"""Renaming and merging topics, from the Insights page and the API, audited, kept by a real rebuild
(clustering again from the stored vectors), on SQLite and PostgreSQL."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from ecoute.auth import api_tokens
from ecoute.store.models import AuditEvent, Mention
from ecoute.topics.models import Topic
from ecoute.topics.workspace import rebuild, topic_of
from ecoute.web.pages import insights as insights_page
from topic_world import SUBJECTS, Embedder, add_mentions
from web.conftest import csrf_of as form_token

NOW = datetime(2026, 10, 8, 13, 0, tzinfo=UTC)


@pytest.fixture
def topics(db, workspace, monkeypatch):
    """Three subjects of 20 mentions each, all dated this week, clustered into three topics."""
    mentions = {s: add_mentions(db, workspace, s, 20, start=100 * i) for s, i in SUBJECTS.items()}
    with db.session() as session:
        for mention in session.scalars(select(Mention).where(Mention.workspace_id == workspace.id)):
            mention.created_at = NOW.replace(hour=8)
    with db.session() as session:
        rebuild(session, workspace.id, Embedder())
        ids = {s: topic_of(session, workspace.id, ids[0]).id for s, ids in mentions.items()}
    monkeypatch.setattr(insights_page, "current_time", lambda: NOW)
    return mentions, ids


def _topic_after_rebuild(db, workspace, mentions, subject: str, seed: int = 1) -> Topic:
    with db.session() as session:
        rebuild(session, workspace.id, Embedder(), seed=seed)
    with db.session() as session:
        topic = topic_of(session, workspace.id, mentions[subject][7])
        session.expunge(topic)
        return topic


def test_an_agent_renames_and_merges_on_the_page_and_both_survive_a_rebuild(db, workspace, login_as, topics):
    mentions, ids = topics
    agent = login_as("agent")
    page = agent.get("/w/acme/insights?days=7", headers={"accept-language": "fr"}).text
    assert f'data-topic-edit="{ids["application"]}"' in page and "Renommer ou fusionner" in page
    token = form_token(page)
    renamed = agent.post(
        f"/w/acme/insights/topics/{ids['application']}",
        data={
            "csrf_token": token,
            "action": "rename",
            "name": "  Bugs de   l'appli ",
            "next": "/w/acme/insights",
        },
    )
    merged = agent.post(
        f"/w/acme/insights/topics/{ids['remboursement']}",
        data={"csrf_token": token, "action": "merge", "into": str(ids["livraison"])},
    )
    assert (renamed.status_code, renamed.headers["location"]) == (303, "/w/acme/insights")
    assert merged.status_code == 303

    page = html.unescape(agent.get("/w/acme/insights?days=7").text)
    rows = re.findall(r'<tr data-topic="(\d+)">', page)
    assert sorted(rows) == sorted([str(ids["application"]), str(ids["livraison"])])
    assert ">Bugs de l'appli</a>" in page

    app_after = _topic_after_rebuild(db, workspace, mentions, "application")
    with db.session() as session:
        delivery = topic_of(session, workspace.id, mentions["livraison"][3])
        refund = topic_of(session, workspace.id, mentions["remboursement"][5])
        audit = session.scalars(
            select(AuditEvent.action).where(
                AuditEvent.workspace_id == workspace.id, AuditEvent.target_type == "topic"
            )
        ).all()
        assert delivery.id == refund.id == ids["livraison"] and delivery.size == 40
    assert (app_after.id, app_after.name) == (ids["application"], "Bugs de l'appli")
    assert sorted(audit) == ["topic.merge", "topic.rename"]
    again = html.unescape(agent.get("/w/acme/insights?days=7").text)
    assert ">Bugs de l'appli</a>" in again and len(re.findall(r'<tr data-topic="', again)) == 2


def test_viewers_cannot_change_topics_and_bad_choices_are_refused(db, workspace, login_as, topics):
    _, ids = topics
    viewer = login_as("viewer")
    page = viewer.get("/w/acme/insights?days=7").text
    assert "data-topic-edit" not in page
    token = form_token(page)
    refused = viewer.post(
        f"/w/acme/insights/topics/{ids['application']}",
        data={"csrf_token": token, "action": "rename", "name": "x"},
    )
    assert refused.status_code == 403

    agent = login_as("agent")
    token = form_token(agent.get("/w/acme/insights?days=7").text)
    path = f"/w/acme/insights/topics/{ids['application']}"
    assert agent.post(path, data={"csrf_token": token, "action": "explode"}).status_code == 400
    assert agent.post(path, data={"csrf_token": token, "action": "merge"}).status_code == 400
    assert agent.post(path, data={"csrf_token": token, "action": "rename", "name": "x" * 81}).status_code in (
        400,
        422,
    )
    missing = agent.post(
        "/w/acme/insights/topics/999999", data={"csrf_token": token, "action": "rename", "name": "x"}
    )
    assert missing.status_code == 404
    with db.session() as session:
        assert session.get(Topic, ids["application"]).name is None


def _bearer(db, workspace, role: str) -> dict[str, str]:
    with db.session() as session:
        token, _ = api_tokens.create_token(session, workspace.id, name=role, role=role)
    return {"authorization": f"Bearer {token}"}


def test_the_api_lists_renames_and_merges_topics_for_its_workspace_only(
    db, workspace, other_workspace, client, topics
):
    mentions, ids = topics
    agent, viewer = _bearer(db, workspace, "agent"), _bearer(db, workspace, "viewer")
    stranger = _bearer(db, other_workspace, "owner")

    listed = client.get("/api/v1/topics", headers=viewer).json()["items"]
    assert {t["id"] for t in listed} == set(ids.values()) and all(t["mentions"] == 20 for t in listed)
    assert (
        client.patch(f"/api/v1/topics/{ids['application']}", json={"name": "x"}, headers=viewer).status_code
        == 403
    )
    assert (
        client.patch(f"/api/v1/topics/{ids['application']}", json={"name": "x"}, headers=stranger).status_code
        == 404
    )
    assert client.get("/api/v1/topics", headers=stranger).json() == {"items": []}

    renamed = client.patch(
        f"/api/v1/topics/{ids['application']}", json={"name": "App crashes"}, headers=agent
    )
    merged = client.post(
        f"/api/v1/topics/{ids['livraison']}/merge", json={"topics": [ids["remboursement"]]}, headers=agent
    )
    assert renamed.status_code == 200 and renamed.json()["name"] == "App crashes"
    assert merged.status_code == 200 and merged.json() | {"label": ""} == {
        "id": ids["livraison"], "name": None, "label": "", "mentions": 40, "merged": True,
    }  # fmt: skip
    gone = client.patch(f"/api/v1/topics/{ids['remboursement']}", json={"name": "y"}, headers=agent)
    assert gone.status_code == 422 and "merged into" in gone.json()["detail"]
    alone = client.post(
        f"/api/v1/topics/{ids['livraison']}/merge", json={"topics": [ids["livraison"]]}, headers=agent
    )
    assert alone.status_code == 422
    assert (
        client.post(
            f"/api/v1/topics/{ids['livraison']}/merge", json={"topics": []}, headers=agent
        ).status_code
        == 422
    )

    app_after = _topic_after_rebuild(db, workspace, mentions, "application", seed=2)
    refund_after = _topic_after_rebuild(db, workspace, mentions, "remboursement", seed=3)
    assert (app_after.id, app_after.name) == (ids["application"], "App crashes")
    assert refund_after.id == ids["livraison"]
    assert len(client.get("/api/v1/topics", headers=viewer).json()["items"]) == 2
