"""``source.needs_reconnect``: announced once when a source starts needing reconnecting (not at
every retry after it), to the endpoints that asked for it, and again after it was reconnected and
refused once more."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ecoute.polling import poll_source
from ecoute.sources.base import SourceError
from ecoute.sources.credentials import seal_secrets
from ecoute.store import repo
from ecoute.store.models import Source
from ecoute.store.people import WebhookDelivery
from ecoute.webhooks import endpoints
from fake_mastodon import TOKEN, running_mastodon


@pytest.fixture(autouse=True)
def _quick(monkeypatch):
    monkeypatch.setenv("ECOUTE_HTTP_RETRIES", "1")


def _endpoint(db, workspace, events) -> int:
    with db.session() as session:
        _, row = endpoints.create_endpoint(
            session, workspace.id, url="https://hooks.example.org/in", secret_key="test-secret-key",
            actor="test", events=events,
        )  # fmt: skip
        return row.id


def _poll_failing(db, workspace, times: int) -> list[str]:
    kinds = []
    for _ in range(times):
        with db.session() as session:
            source = session.scalar(select(Source).where(Source.workspace_id == workspace.id))
        with pytest.raises(SourceError) as failure:
            poll_source(db, workspace, source)
        kinds.append(failure.value.kind)
    return kinds


def test_needing_reconnection_is_announced_once_per_time_it_starts(db, workspace):
    wants = _endpoint(db, workspace, [endpoints.SOURCE_NEEDS_RECONNECT])
    _endpoint(db, workspace, [endpoints.HIGH_PRIORITY])
    with running_mastodon() as server:
        with db.session() as session:
            settings = seal_secrets({"instance": server.url, "access_token": TOKEN})
            repo.ensure_source(
                session, workspace.id, "masto", kind="mastodon", platform="mastodon", settings=settings
            )
        server.token = "revoked"
        first = _poll_failing(db, workspace, 3)
        with db.session() as session:
            source = session.scalar(select(Source).where(Source.workspace_id == workspace.id))
            repo.record_source_success(session, workspace.id, source.id)  # reconnected meanwhile
        again = _poll_failing(db, workspace, 2)

    with db.session() as session:
        sent = session.scalars(
            select(WebhookDelivery).where(WebhookDelivery.event == "source.needs_reconnect")
        ).all()
        shown = [(d.endpoint_id, d.payload["source"]["name"], d.payload["source"]["path"]) for d in sent]
        texts = [d.payload["text"] for d in sent]
    assert first == ["auth"] * 3 and again == ["auth"] * 2
    assert shown == [(wants, "masto", "/w/acme/sources")] * 2
    assert all("needs reconnecting" in text and TOKEN not in text for text in texts)
