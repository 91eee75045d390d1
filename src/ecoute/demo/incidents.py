"""The demo's incidents: the outage alert opened as an incident, with the team's facts, a drafted
statement on its timeline and a personal update prepared for everyone affected (ready to send, not
sent); the impersonator's alert opened too, its warning and its messages to those it contacted
ready. Idempotent: a second run adds nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from ecoute.incidents import opening, records, statements, updates
from ecoute.store.db import Database
from ecoute.store.models import Workspace
from ecoute.store.types import utcnow
from ecoute.warn.models import Alert

from . import DATA

ACTOR = "system:demo"


@dataclass(frozen=True)
class DemoIncidents:
    outage_id: int | None
    impersonation_id: int | None


def open_demo_incidents(db: Database, workspace: Workspace, now: datetime | None = None) -> DemoIncidents:
    now = now or utcnow()
    facts = json.loads((DATA / "incidents.json").read_text(encoding="utf-8"))["outage"]
    with db.session() as session:
        alerts = list(session.scalars(select(Alert).where(Alert.workspace_id == workspace.id)))
        outage = _outage_alert(alerts)
        fake = next((a for a in alerts if a.kind == "impersonation"), None)
        outage_id = _ready(session, workspace.id, outage, facts, now) if outage else None
        fake_id = _ready(session, workspace.id, fake, None, now) if fake else None
    return DemoIncidents(outage_id, fake_id)


def _outage_alert(alerts: list[Alert]) -> Alert | None:
    """The negative spike (what an outage looks like), else the largest volume spike."""
    spikes = [a for a in alerts if a.kind in ("negative_share", "volume")]
    return max(spikes, key=lambda a: (a.kind == "negative_share", a.observed), default=None)


def _ready(session, workspace_id: int, alert: Alert, facts: dict | None, now: datetime) -> int:  # type: ignore[no-untyped-def, type-arg]
    """Open the alert's incident with a statement on its timeline and its updates prepared."""
    incident = opening.open_from_alert(session, workspace_id, alert.id, user_id=None, actor=ACTOR, now=now)
    if any(e.kind == "statement" for e in records.timeline(session, workspace_id, incident.id)):
        return incident.id
    if facts is not None:
        records.update_facts(
            session,
            workspace_id,
            incident.id,
            records.IncidentFacts(
                title=facts["title"],
                description=facts["description"],
                action=facts["action"],
                next_update_at=now + timedelta(minutes=int(facts["next_update_in_minutes"])),
            ),
            actor=ACTOR,
        )
    body = statements.draft_statement(session, incident, "fr", now)
    records.add_statement(session, workspace_id, incident.id, body, "fr", user_id=None, actor=ACTOR, now=now)
    updates.prepare(session, workspace_id, incident.id, actor=ACTOR, now=now)
    return incident.id
