"""Alerts when a high-priority conversation is about to miss its first-response target.

``notify_breaches`` runs over every workspace (``ecoute sla notify``, once or every N seconds):

1. in one transaction per workspace, each conversation at or above ``breach_alerts.min_priority``
   that is due soon (or already breached, when no run caught it in time) gets a ``breach_notices``
   row — unique per conversation and clock start, so it is announced once — and, for each enabled
   webhook endpoint subscribed to ``conversation.breach_soon`` at that priority, a queued delivery
   (sent by ``ecoute webhooks deliver``);
2. then, with no transaction open, one e-mail per workspace lists the new notices
   (``ecoute.keep_time.breach_mail``), when ``breach_alerts.emails`` and ``ECOUTE_SMTP_HOST`` are set.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ecoute.keep_time.breach_mail import send_pending_emails
from ecoute.keep_time.deadlines import ConversationDeadline, KeepTime, about_to_breach
from ecoute.keep_time.mail import mail_configured
from ecoute.keep_time.notices import BreachNotice
from ecoute.settings import Settings
from ecoute.store.db import Database
from ecoute.store.models import Conversation, Workspace
from ecoute.store.people import WebhookDelivery, WebhookEndpoint
from ecoute.store.types import utcnow
from ecoute.webhooks.endpoints import BREACH_SOON

__all__ = ["BREACH_SOON", "NotifyReport", "notify_breaches", "record_breach_notices"]
logger = logging.getLogger(__name__)


@dataclass
class NotifyReport:
    notices: int = 0
    webhooks_queued: int = 0
    emails_sent: int = 0
    email_failures: int = 0


def notify_breaches(db: Database, settings: Settings, *, now: datetime | None = None) -> NotifyReport:
    """Announce, once each, the conversations of every workspace that are about to breach."""
    moment = now or utcnow()
    report = NotifyReport()
    with db.session() as session:
        workspace_ids = list(session.scalars(select(Workspace.id).order_by(Workspace.id)))
    for workspace_id in workspace_ids:
        with db.session() as session:
            workspace = session.get(Workspace, workspace_id)
            if workspace is None:
                continue
            notices, queued = record_breach_notices(
                session, workspace, moment, email=mail_configured(settings)
            )
            report.notices += len(notices)
            report.webhooks_queued += queued
        sent, failed = send_pending_emails(db, settings, workspace_id, now=moment)
        report.emails_sent += sent
        report.email_failures += failed
    return report


def record_breach_notices(
    session: Session, workspace: Workspace, now: datetime, *, email: bool = False
) -> tuple[list[BreachNotice], int]:
    """New notices for the workspace's conversations about to breach, and webhook deliveries queued."""
    keep_time = KeepTime.of(workspace)
    alerts = keep_time.config.breach_alerts
    risky = about_to_breach(session, workspace, now, min_priority=alerts.min_priority, keep_time=keep_time)
    if not risky:
        return [], 0
    email_status = "pending" if email and alerts.emails else "none"
    rows = [
        {
            "workspace_id": workspace.id,
            "conversation_id": d.conversation_id,
            "clock_started_at": d.status.deadline.started_at,
            "due_at": d.status.due_at,
            "state": str(d.state),
            "priority": d.status.deadline.priority,
            "created_at": now,
            "email_status": email_status,
            "email_attempts": 0,
        }
        for d in risky
    ]
    ids = _insert_new(
        session, BreachNotice.__table__, rows, ["workspace_id", "conversation_id", "clock_started_at"]
    )
    if not ids:
        return [], 0
    notices = list(session.scalars(select(BreachNotice).where(BreachNotice.id.in_(ids))))
    announced = {n.conversation_id for n in notices}
    fresh = [d for d in risky if d.conversation_id in announced]
    queued = _enqueue_webhooks(session, workspace, fresh, now) if alerts.webhooks else 0
    if queued:
        from ecoute.webhooks.jobs import deliver_soon

        deliver_soon(session, workspace.id)
    logger.info(
        "sla.breach_notices",
        extra={"workspace_id": workspace.id, "notices": len(notices), "webhooks": queued},
    )
    return sorted(notices, key=lambda n: (n.due_at, n.conversation_id)), queued


def _insert_new(session: Session, table: Any, rows: list[dict[str, Any]], keys: list[str]) -> list[int]:
    """Insert the rows that are not there yet (by the unique ``keys``); the ids of those inserted."""
    insert = (postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert)(table)
    statement = insert.on_conflict_do_nothing(index_elements=keys).returning(table.c.id)
    return [row[0] for row in session.execute(statement, rows)]


def _enqueue_webhooks(
    session: Session, workspace: Workspace, deadlines: list[ConversationDeadline], now: datetime
) -> int:
    hooks = list(
        session.scalars(
            select(WebhookEndpoint).where(
                WebhookEndpoint.workspace_id == workspace.id, WebhookEndpoint.enabled.is_(True)
            )
        )
    )
    hooks = [h for h in hooks if BREACH_SOON in (h.events or [])]
    if not hooks:
        return 0
    conversations = {
        c.id: c
        for c in session.scalars(
            select(Conversation).where(
                Conversation.workspace_id == workspace.id,
                Conversation.id.in_([d.conversation_id for d in deadlines]),
            )
        )
    }
    rows = [
        {
            "workspace_id": workspace.id,
            "endpoint_id": hook.id,
            "event": BREACH_SOON,
            "event_id": event_id(d),
            "payload": breach_payload(workspace, conversations[d.conversation_id], d, now),
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for hook in hooks
        for d in deadlines
        if d.status.deadline.priority >= hook.min_priority and d.conversation_id in conversations
    ]
    if not rows:
        return 0
    return len(_insert_new(session, WebhookDelivery.__table__, rows, ["endpoint_id", "event_id"]))


def event_id(deadline: ConversationDeadline) -> str:
    """Unique per conversation and clock: a later wait in the same conversation is a new event."""
    started = int(deadline.status.deadline.started_at.timestamp())
    return f"{BREACH_SOON}:{deadline.conversation_id}:{started}"


def breach_payload(
    workspace: Workspace, conversation: Conversation, deadline: ConversationDeadline, now: datetime
) -> dict[str, Any]:
    """The event body, frozen when queued."""
    status = deadline.status
    minutes = int(status.remaining.total_seconds() // 60)
    when = "missed its target" if minutes <= 0 else f"{minutes} business min left"
    return {
        "id": event_id(deadline),
        "type": BREACH_SOON,
        "created_at": now.isoformat(),
        "workspace": {"slug": workspace.slug, "name": workspace.name},
        # Slack and compatible chat tools show ``text`` as the message.
        "text": f"Écoute · {workspace.name}: priority {status.deadline.priority} conversation on "
        f"{conversation.platform} {when} (first answer due {status.due_at.isoformat()})",
        "conversation": {
            "id": conversation.id,
            "path": f"/w/{workspace.slug}/c/{conversation.id}",
            "platform": conversation.platform,
            "status": conversation.status,
            "priority": conversation.priority,
            "assignee_id": conversation.assignee_id,
        },
        "deadline": {
            "state": str(status.state),
            "started_at": status.deadline.started_at.isoformat(),
            "due_at": status.due_at.isoformat(),
            "target_seconds": int(status.deadline.target.total_seconds()),
            "remaining_seconds": int(status.remaining.total_seconds()),
        },
    }
