"""The demo's outage burst, read by the hourly scan: a spike in mentions and, in addition, a spike
in their negative share whose explanation names its cause."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from demo_world import load_demo
from ecoute import demo
from ecoute.store.types import utcnow
from ecoute.warn import explain
from ecoute.warn.models import Alert
from ecoute.warn.scan import scan_workspace


def test_the_outage_burst_raises_a_negative_share_alert_with_its_cause(db, monkeypatch):
    # The scan counts whole hours, and how the burst's posts fall into them depends on the minute
    # the demo is loaded at (at :50 its busiest hour holds 7, at :30 13): load it at half past.
    now = utcnow().replace(minute=30, second=0, microsecond=0) - timedelta(hours=1)
    shifted = demo.demo_items
    monkeypatch.setattr(demo, "demo_items", lambda: shifted(now))
    workspace = load_demo(db)
    scan_workspace(db, workspace.id, now=now)
    with db.session() as session:
        alerts = session.scalars(select(Alert).where(Alert.workspace_id == workspace.id)).all()
        volume = [a for a in alerts if a.kind == "volume" and a.observed >= 10]
        negative = [a for a in alerts if a.kind == "negative_share"]
        assert volume and negative
        burst = max(volume, key=lambda a: a.started_at)
        outage = next(a for a in negative if abs(a.started_at - burst.started_at) <= timedelta(hours=3))
        why = explain.explain(session, outage, now)
    assert outage.observed >= 2 * outage.expected and outage.observed >= 10
    assert why.negative == why.mentions >= 20
    assert "#cyclunefail" in [term for term, _ in why.terms]  # its cause, in the customers' words
    assert burst.expected >= 0
