"""``alert.raised`` reaches the endpoints that asked for it once per alert, with a chat-ready text."""

from __future__ import annotations

from sqlalchemy import select

from ecoute.store.people import WebhookDelivery
from ecoute.warn.scan import scan_workspace
from ecoute.webhooks import endpoints
from scan_world import NOW, OUTAGE, seed


def _endpoint(db, workspace, events):
    with db.session() as session:
        _, row = endpoints.create_endpoint(
            session, workspace.id, url="https://hooks.example.org/in", secret_key="test-secret-key",
            actor="test", events=events,
        )  # fmt: skip
        return row.id


def test_a_new_alert_is_announced_once_to_the_endpoints_that_asked(db, workspace):
    seed(db, workspace, outage=True)
    wants = _endpoint(db, workspace, [endpoints.ALERT_RAISED])
    other = _endpoint(db, workspace, [endpoints.HIGH_PRIORITY])

    scan_workspace(db, workspace.id, now=NOW)
    scan_workspace(db, workspace.id, now=NOW)  # the next hour's scan: nothing new to say

    with db.session() as session:
        sent = session.scalars(select(WebhookDelivery).where(WebhookDelivery.event == "alert.raised")).all()
        announced = [
            (d.endpoint_id, d.payload["alert"]["kind"], d.payload["alert"]["started_at"]) for d in sent
        ]
        texts = [d.payload["text"] for d in sent]
        blocks = [d.payload["blocks"][0]["type"] for d in sent]
    assert sorted(announced) == sorted(
        [(wants, "volume", OUTAGE.isoformat()), (wants, "negative_share", OUTAGE.isoformat())]
    )
    assert all(endpoint != other for endpoint, _, _ in announced)
    assert any("Spike in mentions" in t and "120 in the peak hour" in t for t in texts)
    assert blocks == ["header", "header"]
