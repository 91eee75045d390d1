"""Opening an incident from an alert: its title from what drove the alert (the terms that rose, or
the fake account), its start from the alert's, and the alert's conversations linked at once.
Opening twice from one alert gives the same incident."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ecoute.store.models import Workspace
from ecoute.store.repo import NotFound
from ecoute.store.types import utcnow
from ecoute.warn.explain import explain
from ecoute.warn.models import Alert

from . import linking, records
from .models import Incident
from .wording import say


def open_from_alert(
    session: Session,
    workspace_id: int,
    alert_id: int,
    *,
    user_id: int | None,
    actor: str,
    now: datetime | None = None,
) -> Incident:
    now = now or utcnow()
    alert = session.scalar(select(Alert).where(Alert.workspace_id == workspace_id, Alert.id == alert_id))
    if alert is None:
        raise NotFound(f"no alert #{alert_id} in this workspace")
    existing = records.for_alert(session, workspace_id, alert.id)
    if existing is not None:
        return existing
    workspace = session.get(Workspace, workspace_id)
    lang = workspace.locale if workspace and workspace.locale in ("fr", "en") else "en"
    kind = "impersonation" if alert.kind == "impersonation" else "outage"
    facts = records.IncidentFacts(title=_title(session, alert, lang, now), brand=_brand(alert))
    incident = records.open_incident(
        session, workspace_id, facts, user_id=user_id, actor=actor, kind=kind, alert=alert, now=now
    )
    linking.link_new(session, incident, now)
    return incident


def _title(session: Session, alert: Alert, lang: str, now: datetime) -> str:
    if alert.kind == "impersonation":
        return (
            say(lang, "title.impersonation", {"fake": f"@{alert.details.get('handle', '')}"}) or alert.subject
        )
    terms = ", ".join(term for term, _ in explain(session, alert, now).terms[:3])
    return (say(lang, f"title.{alert.kind}", {"terms": terms}) or say(lang, "title.spike", {}) or alert.kind)[
        :200
    ]


def _brand(alert: Alert) -> str | None:
    return (
        str(alert.details.get("brand"))
        if alert.kind == "impersonation" and alert.details.get("brand")
        else None
    )
