"""Pushing items through the API: acknowledged once the ingest job is recorded, stored (once) by
the job, refused records named one by one while the good ones are kept."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ecoute.jobs.models import Job
from ecoute.store.models import Mention

ITEMS = [
    {
        "id": "p1",
        "text": "Mon vélo Acme ne démarre plus",
        "created_at": "2026-11-30T10:00:00Z",
        "platform": "x",
    },
    {
        "id": "p2",
        "text": "Merci Acme !",
        "created_at": "2026-11-30T10:05:00Z",
        "platform": "x",
        "author": "lea",
    },
]


@pytest.fixture(autouse=True)
def _no_analysis(monkeypatch):
    monkeypatch.setenv("ECOUTE_ANALYSIS", "off")


def pushed_texts(db, workspace_id):
    with db.session() as session:
        return sorted(
            session.scalars(
                select(Mention.text).where(
                    Mention.workspace_id == workspace_id, Mention.external_id.like("p%")
                )
            )
        )


def test_pushed_items_are_stored_by_the_ingest_job(api, db, world, workspace):
    admin = api.as_token(world.acme.tokens["admin"])

    response = admin.post("/api/v1/mentions", json={"items": ITEMS})

    assert response.status_code == 202
    body = response.json()
    assert (body["accepted"], body["rejected"]) == (2, [])
    assert pushed_texts(db, workspace.id) == ["Merci Acme !", "Mon vélo Acme ne démarre plus"]
    with db.session() as session:
        job = session.get(Job, body["job_id"])
        assert (job.kind, job.state, job.workspace_id) == ("ingest.items", "done", workspace.id)


def test_the_same_push_twice_is_accepted_once(api, db, world, workspace):
    admin = api.as_token(world.acme.tokens["admin"])

    first = admin.post("/api/v1/mentions", json={"items": ITEMS, "key": "batch-0001"}).json()
    second = admin.post("/api/v1/mentions", json={"items": ITEMS, "key": "batch-0001"}).json()

    assert first["job_id"] is not None and second["job_id"] is None
    assert len(pushed_texts(db, workspace.id)) == 2


def test_bad_records_are_refused_by_index_and_the_rest_kept(api, db, world, workspace):
    admin = api.as_token(world.acme.tokens["admin"])
    bad = {"id": "p3", "created_at": "2026-11-30T10:00:00Z"}

    body = admin.post("/api/v1/mentions", json={"items": [ITEMS[0], bad]}).json()

    assert body["accepted"] == 1
    assert body["rejected"] == [{"index": 1, "field": "text", "reason": "missing field 'text'"}]
    assert pushed_texts(db, workspace.id) == ["Mon vélo Acme ne démarre plus"]


def test_a_push_with_nothing_good_is_refused(api, world):
    admin = api.as_token(world.acme.tokens["admin"])

    response = admin.post("/api/v1/mentions", json={"items": [{"id": "x"}]})

    assert response.status_code == 422


def test_agents_cannot_push_and_an_unknown_source_is_named(api, world):
    agent = api.as_token(world.acme.tokens["agent"])
    admin = api.as_token(world.acme.tokens["admin"])

    assert agent.post("/api/v1/mentions", json={"items": ITEMS}).status_code == 403
    missing = admin.post("/api/v1/mentions", json={"items": ITEMS, "source": "nope"})
    assert missing.status_code == 404 and "nope" in missing.json()["detail"]
