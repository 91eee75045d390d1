"""The periodic scan on a real database: hourly counts per workspace, one alert per episode."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from ecoute.jobs import registry
from ecoute.jobs.registry import JobContext
from ecoute.settings import Settings
from ecoute.warn import jobs, scan
from ecoute.warn.models import Alert
from ecoute.warn.scan import hourly_counts, scan_workspace
from scan_world import NOW, OUTAGE, seed


def test_hourly_counts_fill_empty_hours_and_count_negatives(db, workspace):
    seed(db, workspace, outage=True)
    with db.session() as session:
        hours = hourly_counts(session, workspace.id, OUTAGE - timedelta(hours=1), OUTAGE + timedelta(hours=2))
    assert [h for h, _, _ in hours] == [OUTAGE - timedelta(hours=1), OUTAGE, OUTAGE + timedelta(hours=1)]
    assert hours[1][1:] == (120, 120)
    with db.session() as session:
        empty = hourly_counts(session, workspace.id, NOW, NOW + timedelta(hours=2))
    assert empty == [(NOW, 0, 0), (NOW + timedelta(hours=1), 0, 0)]


def test_an_outage_raises_one_volume_and_one_negative_share_alert(db, workspace, other_workspace):
    seed(db, workspace, outage=True)
    seed(db, other_workspace, outage=False)
    scan_workspace(db, workspace.id, now=NOW)
    scan_workspace(db, other_workspace.id, now=NOW)
    with db.session() as session:
        alerts = session.scalars(select(Alert).where(Alert.workspace_id == workspace.id)).all()
        quiet = session.scalars(select(Alert).where(Alert.workspace_id == other_workspace.id)).all()
    at_outage = sorted(a.kind for a in alerts if a.started_at == OUTAGE)
    assert at_outage == ["negative_share", "volume"]
    volume = next(a for a in alerts if a.kind == "volume" and a.started_at == OUTAGE)
    assert volume.observed == 120 and volume.expected < 20
    assert not any(a.started_at == OUTAGE for a in quiet)


def test_scanning_again_updates_alerts_instead_of_duplicating_them(db, workspace):
    seed(db, workspace, outage=True)
    scan_workspace(db, workspace.id, now=NOW)
    scan_workspace(db, workspace.id, now=NOW)
    with db.session() as session:
        rows = session.execute(
            select(Alert.kind, Alert.started_at).where(Alert.workspace_id == workspace.id)
        ).all()
    assert ("volume", OUTAGE) in rows
    assert len(rows) == len(set(rows))


def test_a_workspace_without_mentions_has_no_alerts(db, workspace):
    assert scan_workspace(db, workspace.id, now=NOW) == []


def test_the_hourly_job_is_registered_and_scans_every_workspace(db, workspace, monkeypatch):
    seed(db, workspace, outage=True)
    assert "warn.scan" in [p.name for p in registry.periodics()]
    monkeypatch.setattr(scan, "datetime", _FrozenNow)
    context = JobContext(db, Settings(), 0, "periodic:warn.scan", "k", 1, None, "bulk")
    jobs.scan_all(context)
    with db.session() as session:
        kinds = session.scalars(select(Alert.kind).where(Alert.started_at == OUTAGE)).all()
    assert sorted(kinds) == ["negative_share", "volume"]


class _FrozenNow(datetime):
    @classmethod
    def now(cls, tz=None):
        return NOW
