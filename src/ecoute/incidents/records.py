"""Opening an incident (from an alert or by hand), reading it, moving its status and adding public
statements to its timeline; each change audited like the rest of the app. Every function takes the
workspace first and never finds an incident by id alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ecoute.store.models import Brand
from ecoute.store.repo import Invalid, NotFound, record_audit
from ecoute.store.types import utcnow
from ecoute.warn.models import Alert

from .models import KINDS, STATUSES, Incident, IncidentEvent

MAX_TITLE = 200
MAX_TEXT = 4000
MAX_TERMS = 20
MAX_TERM = 80


@dataclass(frozen=True)
class IncidentFacts:
    """What the team says about an incident: checked by ``checked`` before anything is stored."""

    title: str
    description: str = ""
    action: str = ""
    brand: str | None = None
    terms: Sequence[str] = field(default_factory=tuple)
    next_update_at: datetime | None = None


def checked(facts: IncidentFacts) -> IncidentFacts:
    title = " ".join(facts.title.split())
    if not title or len(title) > MAX_TITLE:
        raise Invalid(f"title: give the incident a title (1 to {MAX_TITLE} characters)")
    for name, value in (("description", facts.description), ("action", facts.action)):
        if len(value) > MAX_TEXT:
            raise Invalid(f"{name}: at most {MAX_TEXT} characters")
    terms = [" ".join(t.split()) for t in facts.terms if t and t.strip()]
    if len(terms) > MAX_TERMS or any(len(t) > MAX_TERM for t in terms):
        raise Invalid(f"terms: at most {MAX_TERMS} search terms of {MAX_TERM} characters")
    return IncidentFacts(
        title,
        facts.description.strip(),
        facts.action.strip(),
        facts.brand,
        tuple(terms),
        facts.next_update_at,
    )


def get(session: Session, workspace_id: int, incident_id: int) -> Incident:
    found = session.scalar(
        select(Incident).where(Incident.workspace_id == workspace_id, Incident.id == incident_id)
    )
    if found is None:
        raise NotFound(f"no incident #{incident_id} in this workspace")
    return found


def list_incidents(session: Session, workspace_id: int) -> list[Incident]:
    """Open incidents first, newest first within each."""
    rows = session.scalars(
        select(Incident).where(Incident.workspace_id == workspace_id).order_by(Incident.created_at.desc())
    )
    return sorted(rows, key=lambda i: i.status == "resolved")


def open_incidents(session: Session, workspace_id: int, limit: int = 20) -> list[Incident]:
    """The incidents still open, newest first (what a conversation may be linked to)."""
    return list(
        session.scalars(
            select(Incident)
            .where(Incident.workspace_id == workspace_id, Incident.status != "resolved")
            .order_by(Incident.created_at.desc(), Incident.id.desc())
            .limit(limit)
        )
    )


def timeline(session: Session, workspace_id: int, incident_id: int) -> list[IncidentEvent]:
    return list(
        session.scalars(
            select(IncidentEvent)
            .where(IncidentEvent.workspace_id == workspace_id, IncidentEvent.incident_id == incident_id)
            .order_by(IncidentEvent.created_at, IncidentEvent.id)
        )
    )


def for_alert(session: Session, workspace_id: int, alert_id: int) -> Incident | None:
    return session.scalar(
        select(Incident)
        .where(Incident.workspace_id == workspace_id, Incident.alert_id == alert_id)
        .order_by(Incident.id)
        .limit(1)
    )


def _brand_id(session: Session, workspace_id: int, name: str | None) -> int | None:
    if not name:
        return None
    found = session.scalar(select(Brand.id).where(Brand.workspace_id == workspace_id, Brand.name == name))
    if found is None:
        raise Invalid(f"brand: no brand named {name!r} in this workspace")
    return found


def open_incident(
    session: Session,
    workspace_id: int,
    facts: IncidentFacts,
    *,
    user_id: int | None,
    actor: str,
    kind: str = "outage",
    alert: Alert | None = None,
    now: datetime | None = None,
) -> Incident:
    """Open an incident (by hand, or from ``alert``); its first timeline entry says who opened it."""
    if kind not in KINDS:
        raise Invalid(f"kind: use {' or '.join(KINDS)}")
    facts = checked(facts)
    now = now or utcnow()
    incident = Incident(
        workspace_id=workspace_id,
        kind=kind,
        title=facts.title,
        description=facts.description,
        action=facts.action,
        brand_id=_brand_id(session, workspace_id, facts.brand),
        terms=list(facts.terms),
        alert_id=alert.id if alert else None,
        status="investigating",
        started_at=alert.started_at if alert else now,
        next_update_at=facts.next_update_at,
        opened_by_id=user_id,
        created_at=now,
        updated_at=now,
    )
    session.add(incident)
    session.flush()
    _event(session, incident, "opened", "", None, user_id=user_id, actor=actor, now=now)
    record_audit(
        session,
        workspace_id,
        actor=actor,
        action="incident.open",
        target_type="incident",
        target_id=incident.id,
        after={"title": incident.title, "kind": kind, "alert_id": incident.alert_id},
    )
    return incident


def update_facts(
    session: Session, workspace_id: int, incident_id: int, facts: IncidentFacts, *, actor: str
) -> Incident:
    incident = get(session, workspace_id, incident_id)
    facts = checked(facts)
    before = {"title": incident.title, "description": incident.description, "action": incident.action}
    incident.title, incident.description, incident.action = facts.title, facts.description, facts.action
    incident.terms = list(facts.terms)
    incident.brand_id = _brand_id(session, workspace_id, facts.brand)
    incident.next_update_at = facts.next_update_at
    incident.updated_at = utcnow()
    record_audit(
        session,
        workspace_id,
        actor=actor,
        action="incident.edit",
        target_type="incident",
        target_id=incident.id,
        before=before,
        after={
            "title": incident.title,
            "description": incident.description,
            "action": incident.action,
            "terms": incident.terms,
        },
    )
    return incident


def change_status(
    session: Session,
    workspace_id: int,
    incident_id: int,
    status: str,
    *,
    user_id: int | None,
    actor: str,
    now: datetime | None = None,
) -> Incident:
    if status not in STATUSES:
        raise Invalid(f"status: use one of {', '.join(STATUSES)}")
    incident = get(session, workspace_id, incident_id)
    if status == incident.status:
        raise Invalid(f"status: the incident is already {status}")
    now = now or utcnow()
    before = incident.status
    incident.status, incident.updated_at = status, now
    incident.resolved_at = now if status == "resolved" else None
    if status == "resolved":
        incident.next_update_at = None
    _event(session, incident, "status", "", None, user_id=user_id, actor=actor, now=now)
    record_audit(
        session,
        workspace_id,
        actor=actor,
        action="incident.status",
        target_type="incident",
        target_id=incident.id,
        before={"status": before},
        after={"status": status},
    )
    return incident


def add_statement(
    session: Session,
    workspace_id: int,
    incident_id: int,
    body: str,
    lang: str,
    *,
    user_id: int | None,
    actor: str,
    now: datetime | None = None,
) -> IncidentEvent:
    """A public statement as the team published it (after editing the draft), on the timeline."""
    body = body.strip()
    if not body or len(body) > MAX_TEXT:
        raise Invalid(f"body: write the statement (1 to {MAX_TEXT} characters)")
    if lang not in ("fr", "en"):
        raise Invalid("lang: fr or en")
    incident = get(session, workspace_id, incident_id)
    event = _event(session, incident, "statement", body, lang, user_id=user_id, actor=actor, now=now)
    record_audit(
        session,
        workspace_id,
        actor=actor,
        action="incident.statement",
        target_type="incident",
        target_id=incident.id,
        after={"event_id": event.id, "lang": lang, "body": body[:500]},
    )
    return event


def _event(
    session: Session,
    incident: Incident,
    kind: str,
    body: str,
    lang: str | None,
    *,
    user_id: int | None,
    actor: str,
    now: datetime | None = None,
) -> IncidentEvent:
    event = IncidentEvent(
        workspace_id=incident.workspace_id,
        incident_id=incident.id,
        kind=kind,
        status=incident.status,
        lang=lang,
        body=body,
        user_id=user_id,
        actor=actor[:200],
        created_at=now or utcnow(),
    )
    session.add(event)
    session.flush()
    return event
