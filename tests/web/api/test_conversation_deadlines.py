"""Deadlines through the conversations API: each conversation carries its running first-response
clock, and the list takes the inbox's deadline filter (responses checked against the OpenAPI)."""

from __future__ import annotations

import deadline_world
from deadline_world import NOW
from ecoute.auth import api_tokens


def test_the_api_lists_and_filters_by_deadline(api, db, workspace, monkeypatch):
    monkeypatch.setattr("ecoute.web.api.conversations.utcnow", lambda: NOW)
    ids = deadline_world.build(db, workspace)
    with db.session() as session:
        reader = api.as_token(api_tokens.create_token(session, workspace.id, name="reader", role="viewer")[0])

    everything = {c["id"]: c["deadline"] for c in reader.get("/api/v1/conversations").json()["items"]}
    breached = reader.get("/api/v1/conversations?deadline=breached").json()["items"]
    at_risk = reader.get("/api/v1/conversations?deadline=at_risk").json()["items"]
    one = reader.get(f"/api/v1/conversations/{ids['soon']}").json()

    assert [c["id"] for c in breached] == [ids["late"]]
    assert sorted(c["id"] for c in at_risk) == sorted([ids["late"], ids["soon"]])
    assert everything[ids["answered"]] is None
    assert everything[ids["late"]] == {
        "state": "breached",
        "started_at": "2026-10-16T15:30:00Z",
        "due_at": "2026-10-19T07:30:00Z",
        "target_seconds": 3600,
        "remaining_seconds": -1800,
    }
    assert (one["deadline"]["state"], one["deadline"]["remaining_seconds"]) == ("due_soon", 600)
    assert reader.get("/api/v1/conversations?deadline=someday").status_code == 422
