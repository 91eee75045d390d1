"""Emerging terms and hashtags as alerts: the words that markedly more distinct authors used in the
last hours than in the week before (the log-odds ratio of ``ecoute.warn.terms``), one ``term``
alert per term (subject ``term:<term>``) while it keeps rising, closed a day after it last rose.

A muted term is never raised again for its workspace; sensitivity sets how strong and how widely
shared a rise must be.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ecoute.store.models import Mention
from ecoute.warn.models import Alert
from ecoute.warn.preferences import AlertSettings
from ecoute.warn.terms import Post, emerging_terms, terms_of

KIND = "term"
WINDOW = timedelta(hours=6)
BASELINE = timedelta(days=7)
QUIET_AFTER = timedelta(hours=24)  # an alert whose term has not risen for this long has ended
MAX_READ = 5000
TOP = 3


def subject_of(term: str) -> str:
    return f"term:{term}"


def scan_terms(session: Session, workspace_id: int, until: datetime, settings: AlertSettings) -> list[Alert]:
    """Raise or update the alerts of the terms rising in the window ending at ``until``; close
    those that stopped rising. Returns the alerts raised or updated now."""
    since = until - WINDOW
    current = _rows(session, workspace_id, since, until)
    baseline = _rows(session, workspace_id, since - BASELINE, since)
    min_z, min_authors = settings.term_thresholds()
    muted = set(settings.muted_terms)
    rising = [
        t
        for t in emerging_terms(
            [Post(a, text) for a, text, _ in current],
            [Post(a, text) for a, text, _ in baseline],
            min_authors=min_authors,
            min_z=min_z,
        )
        if t.term not in muted
    ][:TOP]
    scale = WINDOW / BASELINE
    found = []
    for term in rising:
        first = min(at for _, text, at in current if term.term in terms_of(text))
        alert = _open_alert(session, workspace_id, str(term.term))
        if alert is None:
            alert = Alert(
                workspace_id=workspace_id, kind=KIND, subject=subject_of(str(term.term)), started_at=first,
                peak_at=until, observed=float(term.authors_now), expected=0.0, peak_z=0.0,
            )  # fmt: skip
            session.add(alert)
        if term.z >= alert.peak_z:
            alert.peak_at, alert.peak_z = until, float(term.z)
            alert.observed = float(term.authors_now)
            alert.expected = round(term.authors_before * scale, 2)
        alert.details = {
            "term": str(term.term),
            "authors": term.authors_now,
            "authors_before": term.authors_before,
            "log_odds": term.log_odds,
        }
        alert.updated_at = until
        found.append(alert)
    raised = {a.subject for a in found}
    for stale in session.scalars(
        select(Alert).where(Alert.workspace_id == workspace_id, Alert.kind == KIND, Alert.ended_at.is_(None))
    ):
        if stale.subject not in raised and until - stale.peak_at >= QUIET_AFTER:
            stale.ended_at = until
    session.flush()
    return found


def _open_alert(session: Session, workspace_id: int, term: str) -> Alert | None:
    return session.scalar(
        select(Alert)
        .where(
            Alert.workspace_id == workspace_id,
            Alert.kind == KIND,
            Alert.subject == subject_of(term),
            Alert.ended_at.is_(None),
        )
        .order_by(Alert.started_at.desc())
        .limit(1)
    )


def _rows(
    session: Session, workspace_id: int, since: datetime, until: datetime
) -> list[tuple[str, str, datetime]]:
    """(author, text, created_at) of the visible mentions in [since, until), newest first."""
    rows = session.execute(
        select(Mention.author_id, Mention.id, Mention.text, Mention.created_at)
        .where(
            Mention.workspace_id == workspace_id,
            Mention.hidden.is_(False),
            Mention.created_at >= since,
            Mention.created_at < until,
        )
        .order_by(Mention.created_at.desc())
        .limit(MAX_READ)
    )
    return [(str(author or f"m{mention}"), text or "", at) for author, mention, text, at in rows]
