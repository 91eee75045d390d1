"""``alert.raised``: each new alert announced once to the workspace's webhook endpoints that asked
for it (signed and retried by ``ecoute.webhooks``), with a ``text`` and ``blocks`` that a Slack
incoming webhook or a compatible chat tool shows as it is.

One event per alert and endpoint (the event id is the alert's), so a long crisis, rescanned every
hour, sends one message; an episode that ended more than a day before the scan first saw it (the
first scan of a workspace reads weeks of history) is not announced at all.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ecoute.store.models import Workspace
from ecoute.store.people import WebhookEndpoint
from ecoute.store.types import utcnow
from ecoute.warn.models import Alert
from ecoute.webhooks.endpoints import ALERT_RAISED
from ecoute.webhooks.events import queue_deliveries

FRESH = timedelta(hours=24)
KINDS = {
    "volume": "Spike in mentions",
    "negative_share": "Spike in negative mentions",
    "impersonation": "Account imitating the brand",
}


def announce(session: Session, workspace_id: int, alerts: list[Alert], now: datetime | None = None) -> int:
    """Queue ``alert.raised`` for the alerts still going or seen within a day; returns how many."""
    now = now or utcnow()
    recent = [a for a in alerts if a.ended_at is None or now - a.peak_at <= FRESH]
    if not recent:
        return 0
    hooks = [
        e
        for e in session.scalars(
            select(WebhookEndpoint).where(
                WebhookEndpoint.workspace_id == workspace_id, WebhookEndpoint.enabled.is_(True)
            )
        )
        if ALERT_RAISED in (e.events or [])
    ]
    if not hooks:
        return 0
    workspace = session.get(Workspace, workspace_id)
    rows = [
        {
            "workspace_id": workspace_id,
            "endpoint_id": hook.id,
            "event": ALERT_RAISED,
            "event_id": f"{ALERT_RAISED}:{alert.id}",
            "payload": payload(alert, workspace, now),
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for hook in hooks
        for alert in recent
    ]
    return queue_deliveries(session, workspace_id, rows)


def payload(alert: Alert, workspace: Workspace | None, now: datetime) -> dict[str, Any]:
    slug, name = (workspace.slug, workspace.name) if workspace else ("", "")
    what = KINDS.get(alert.kind, alert.kind)
    if alert.kind == "impersonation":
        details = alert.details or {}
        detail = f"@{details.get('handle', '?')} imitates {details.get('brand', '?')}"
        detail += f" (score {round(100 * float(details.get('score') or 0))}/100)"
    else:
        detail = f"{alert.observed:g} in the peak hour against {alert.expected:.1f} expected"
    text = f"Écoute · {name}: {what} since {alert.started_at:%Y-%m-%d %H:%M} UTC: {detail}"
    path = f"/w/{slug}/alerts"
    return {
        "id": f"{ALERT_RAISED}:{alert.id}",
        "type": ALERT_RAISED,
        "created_at": now.isoformat(),
        "workspace": {"slug": slug, "name": name},
        "text": text,
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": f"{what} · {name}"[:150]}},
            {"type": "section", "text": {"type": "mrkdwn", "text": detail}},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": f"Alerts page: {path}"}]},
        ],
        "alert": {
            "id": alert.id,
            "kind": alert.kind,
            "subject": alert.subject,
            "path": path,
            "started_at": alert.started_at.isoformat(),
            "peak_at": alert.peak_at.isoformat(),
            "ended_at": alert.ended_at.isoformat() if alert.ended_at else None,
            "observed": alert.observed,
            "expected": alert.expected,
            "details": alert.details or {},
        },
    }
