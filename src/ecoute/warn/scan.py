"""The periodic scan: replay a workspace's hourly mention counts and negative share through the
spike detectors, and keep one ``alerts`` row per episode (created once, its peak and end updated).

Replaying the last weeks on every run keeps the detectors stateless between runs (a few hundred
hourly rows per workspace). Hours are UTC, so the hour-of-week baseline never sees a daylight
saving jump; only complete hours are scanned."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from ecoute.store.db import Database
from ecoute.store.models import Mention, Workspace
from ecoute.warn import deliver, preferences
from ecoute.warn.announce import announce
from ecoute.warn.impersonators import scan_authors
from ecoute.warn.models import Alert
from ecoute.warn.spikes import Episode, NegativeShareDetector, SpikeDetector
from ecoute.warn.term_alerts import scan_terms

HISTORY = timedelta(days=35)
HOUR = timedelta(hours=1)


def hourly_counts(
    session: Session, workspace_id: int, since: datetime, until: datetime
) -> list[tuple[datetime, int, int]]:
    """(hour, mentions, negative mentions) for every UTC hour in [since, until), zeros included;
    counted by the database, grouped by hour."""
    hour = _hour_expression(session)
    negative = func.sum(case((Mention.sentiment == "negative", 1), else_=0))
    rows = session.execute(
        select(hour, func.count(), negative)
        .where(Mention.workspace_id == workspace_id, Mention.created_at >= since, Mention.created_at < until)
        .group_by(hour)
    )
    totals = {_as_hour(stamp): (int(total), int(negatives or 0)) for stamp, total, negatives in rows}
    hours, moment = [], since
    while moment < until:
        total, negatives = totals.get(moment, (0, 0))
        hours.append((moment, total, negatives))
        moment += HOUR
    return hours


def _hour_expression(session: Session):
    if session.get_bind().dialect.name == "postgresql":
        return func.date_trunc("hour", func.timezone("UTC", Mention.created_at))
    return func.strftime("%Y-%m-%d %H:00:00", Mention.created_at)  # SQLite keeps naive UTC text


def _as_hour(stamp: datetime | str) -> datetime:
    if isinstance(stamp, str):
        stamp = datetime.fromisoformat(stamp)
    return stamp.replace(tzinfo=UTC) if stamp.tzinfo is None else stamp.astimezone(UTC)


def scan_workspace(db: Database, workspace_id: int, now: datetime | None = None) -> list[Alert]:
    """Run the detectors the workspace has on, at its sensitivity, over its last weeks; upsert
    their episodes; announce and send what is new (within the cooldown); return them."""
    moment = now or datetime.now(UTC)
    until = moment.replace(minute=0, second=0, microsecond=0)
    since = until - HISTORY
    with db.session() as session:
        workspace = session.get(Workspace, workspace_id)
        first = session.scalar(
            select(func.min(Mention.created_at)).where(Mention.workspace_id == workspace_id)
        )
        if first is None or workspace is None:
            return []
        chosen = preferences.load(workspace)
        since = max(since, first.replace(minute=0, second=0, microsecond=0))
        hours = hourly_counts(session, workspace_id, since, until)
        spike = chosen.spike_settings()
        volume, share = SpikeDetector(spike), NegativeShareDetector(spike)
        for hour, total, negative in hours:
            naive = hour.replace(tzinfo=None)
            volume.update(naive, total)
            share.update(naive, negative, total)
        episodes = [("volume", e) for e in volume.episodes] + [("negative_share", e) for e in share.episodes]
        alerts = [_upsert(session, workspace_id, kind, e) for kind, e in episodes if kind in chosen.detectors]
        if "term" in chosen.detectors:
            alerts += scan_terms(session, workspace_id, until, chosen)
        if "impersonation" in chosen.detectors:
            alerts += scan_authors(session, workspace_id, now)
        if chosen.webhook_event:
            announce(session, workspace_id, alerts, moment)
        deliver.plan(session, workspace, alerts, chosen, moment)
        return alerts


def _upsert(session: Session, workspace_id: int, kind: str, episode: Episode) -> Alert:
    started = episode.start.replace(tzinfo=UTC)
    alert = session.scalar(
        select(Alert).where(
            Alert.workspace_id == workspace_id,
            Alert.kind == kind,
            Alert.subject == "",
            Alert.started_at == started,
        )
    )
    if alert is None:
        alert = Alert(workspace_id=workspace_id, kind=kind, started_at=started)
        session.add(alert)
    alert.peak_at = episode.peak.replace(tzinfo=UTC)
    alert.ended_at = episode.end.replace(tzinfo=UTC) if episode.end else None
    alert.observed, alert.expected, alert.peak_z = (
        episode.observed,
        episode.expected,
        round(episode.peak_z, 3),
    )
    alert.updated_at = datetime.now(UTC)
    session.flush()
    return alert
