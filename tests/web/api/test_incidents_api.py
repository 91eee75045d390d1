"""/api/v1/incidents: opened from an alert (once) or by hand, statuses and statements on the
timeline, drafts, links, and the personal updates prepared, edited and sent once; another
workspace's token gets 404; bad input a 422 naming the field (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ecoute.settings import Settings
from ecoute.store.models import Reply
from incident_world import outage


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(
        {"data_dir": str(tmp_path / "data"), "secret_key": "test-secret-key", "incident_update_pace_s": "0"}
    )


@pytest.fixture
def crisis(db, world, workspace):
    return outage(db, workspace)


def test_an_incident_from_an_alert_updates_everyone_once(db, api, world, crisis):
    agent = api.as_token(world.acme.tokens["agent"])

    opened = agent.post(f"/api/v1/alerts/{crisis.alert_id}/incident")
    again = agent.post(f"/api/v1/alerts/{crisis.alert_id}/incident")
    incident = opened.json()
    path = f"/api/v1/incidents/{incident['id']}"
    status = agent.post(f"{path}/status", json={"status": "identified"})
    drafts = agent.get(f"{path}/drafts").json()
    statement = agent.post(f"{path}/statements", json={"lang": "en", "body": drafts["en"]})
    prepared = agent.post(f"{path}/updates", json={}).json()
    first = prepared["items"][0]["id"]
    edited = agent.patch(f"{path}/updates/{first}", json={"text": "Hi, it is fixed, sorry!"})
    sent = agent.post(f"{path}/updates/send").json()
    resent = agent.post(f"{path}/updates/send").json()
    detail = agent.get(path).json()

    assert opened.status_code == 200 and again.json()["id"] == incident["id"]
    assert sorted(incident["conversation_ids"]) == sorted(crisis.inside)
    assert status.json()["status"] == "identified" and statement.status_code == 201
    assert "We have found the cause" in drafts["en"] and "Nous avons trouvé la cause" in drafts["fr"]
    assert edited.status_code == 200 and prepared["round"] == "identified"
    assert sent == {"queued": 3} and resent == {"queued": 0}
    assert [e["kind"] for e in detail["timeline"]] == ["opened", "status", "statement"]
    assert detail["figures"]["affected"] == 3 and detail["figures"]["updated"] == 3
    with db.session() as session:
        texts = sorted(session.scalars(select(Reply.text).where(Reply.conversation_id.in_(crisis.inside))))
    assert len(texts) == 3 and "Hi, it is fixed, sorry!" in texts


def test_an_incident_by_hand_links_and_unlinks_conversations(api, world, crisis):
    agent = api.as_token(world.acme.tokens["agent"])
    created = agent.post(
        "/api/v1/incidents", json={"title": "Lock down", "terms": ["cadenas"], "next_update_in_minutes": 30}
    )
    path = f"/api/v1/incidents/{created.json()['id']}"

    linked = agent.put(f"{path}/conversations/{crisis.calm}")
    unlinked = agent.delete(f"{path}/conversations/{crisis.inside[1]}")
    detail = agent.get(path).json()

    assert created.status_code == 201 and linked.status_code == unlinked.status_code == 204
    assert detail["conversation_ids"] == [crisis.calm]
    assert [i["title"] for i in agent.get("/api/v1/incidents").json()["items"]] == ["Lock down"]


def test_another_workspace_gets_404_and_a_viewer_403(api, world, crisis):
    acme = api.as_token(world.acme.tokens["agent"])
    incident_id = acme.post(f"/api/v1/alerts/{crisis.alert_id}/incident").json()["id"]
    globex = api.as_token(world.globex.tokens["owner"])
    viewer = api.as_token(world.acme.tokens["viewer"])

    assert globex.get(f"/api/v1/incidents/{incident_id}").status_code == 404
    assert globex.post(f"/api/v1/incidents/{incident_id}/updates/send").status_code == 404
    assert globex.post(f"/api/v1/alerts/{crisis.alert_id}/incident").status_code == 404
    assert globex.put(f"/api/v1/incidents/{incident_id}/conversations/{crisis.calm}").status_code == 404
    assert globex.get("/api/v1/incidents").json()["items"] == []
    assert (
        viewer.post(f"/api/v1/incidents/{incident_id}/status", json={"status": "resolved"}).status_code == 403
    )


def test_bad_input_is_a_422_naming_the_field(api, world, crisis):
    agent = api.as_token(world.acme.tokens["agent"])
    incident_id = agent.post(f"/api/v1/alerts/{crisis.alert_id}/incident").json()["id"]
    path = f"/api/v1/incidents/{incident_id}"

    bad_status = agent.post(f"{path}/status", json={"status": "exploded"})
    same_status = agent.post(f"{path}/status", json={"status": "investigating"})
    no_title = agent.post("/api/v1/incidents", json={"title": ""})
    unknown_brand = agent.post("/api/v1/incidents", json={"title": "x", "brand": "Nobody"})
    bad_lang = agent.post(f"{path}/statements", json={"lang": "de", "body": "Hallo"})

    assert bad_status.status_code == 422 and "status" in bad_status.text
    assert same_status.status_code == 422 and "already" in same_status.text
    assert no_title.status_code == 422 and "title" in no_title.text
    assert unknown_brand.status_code == 422 and "brand" in unknown_brand.text
    assert bad_lang.status_code == 422 and "lang" in bad_lang.text
