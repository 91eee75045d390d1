"""The e-mail that lists a workspace's new breach notices: claimed, sent with no transaction open,
and its outcome recorded, so it goes out once (a worker killed mid-send is retried after ``LEASE``)
and a failing SMTP server is retried ``MAX_ATTEMPTS`` times in all."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from ecoute.keep_time.clock import business_time_between
from ecoute.keep_time.deadlines import KeepTime
from ecoute.keep_time.mail import MailError, mail_configured, send_mail
from ecoute.keep_time.notices import BreachNotice
from ecoute.settings import Settings
from ecoute.store.db import Database
from ecoute.store.models import Conversation, Workspace
from ecoute.store.types import utcnow

logger = logging.getLogger(__name__)
LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 3
_TEXT = {
    "fr": {
        "subject": "[Écoute] {name} : {count} conversation(s) bientôt hors délai",
        "intro": "Ces conversations attendent une première réponse et vont dépasser leur délai :",
        "line": "- #{id} · priorité {priority} · {platform} · réponse due {due} ({zone}) · {left}",
        "left": "{minutes} min ouvrées restantes",
        "late": "délai dépassé",
    },
    "en": {
        "subject": "[Écoute] {name}: {count} conversation(s) about to miss the response target",
        "intro": "These conversations are waiting for a first answer and are about to miss their target:",
        "line": "- #{id} · priority {priority} · {platform} · answer due {due} ({zone}) · {left}",
        "left": "{minutes} business min left",
        "late": "target missed",
    },
}


def send_pending_emails(
    db: Database, settings: Settings, workspace_id: int, *, now: datetime | None = None
) -> tuple[int, int]:
    """Send the workspace's pending notices in one e-mail; returns (notices sent, notices failed)."""
    stamp = utcnow()
    with db.session() as session:
        workspace = session.get(Workspace, workspace_id)
        notices = _claim(session, workspace_id, stamp)
        if workspace is None or not notices:
            return 0, 0
        keep_time = KeepTime.of(workspace)
        recipients = list(keep_time.config.breach_alerts.emails)
        if not recipients or not mail_configured(settings):
            _finish(session, notices, "none", None)
            return 0, 0
        subject, body = compose(session, workspace, keep_time, notices, now or stamp, settings.public_url)
        ids = [n.id for n in notices]
    try:
        send_mail(settings, recipients, subject, body)
    except MailError as error:
        with db.session() as session:
            rows = list(session.scalars(select(BreachNotice).where(BreachNotice.id.in_(ids))))
            for row in rows:
                row.email_status = "failed" if row.email_attempts >= MAX_ATTEMPTS else "pending"
                row.email_error = str(error)[:500]
        return 0, len(ids)
    with db.session() as session:
        rows = list(session.scalars(select(BreachNotice).where(BreachNotice.id.in_(ids))))
        _finish(session, rows, "sent", utcnow())
    logger.info("sla.breach_email_sent", extra={"workspace_id": workspace_id, "notices": len(ids)})
    return len(ids), 0


def _claim(session: Session, workspace_id: int, stamp: datetime) -> list[BreachNotice]:
    n = BreachNotice
    claimable = or_(
        n.email_status == "pending",
        and_(n.email_status == "sending", n.email_claimed_at < stamp - LEASE),
    )
    session.execute(
        update(n)
        .where(n.workspace_id == workspace_id, claimable)
        .values(email_status="sending", email_claimed_at=stamp, email_attempts=n.email_attempts + 1)
    )
    query = select(n).where(
        n.workspace_id == workspace_id, n.email_status == "sending", n.email_claimed_at == stamp
    )
    return list(session.scalars(query.order_by(n.due_at, n.conversation_id)))


def _finish(session: Session, notices: list[BreachNotice], status: str, when: datetime | None) -> None:
    for notice in notices:
        notice.email_status = status
        notice.emailed_at = when
        notice.email_error = None


def compose(
    session: Session,
    workspace: Workspace,
    keep_time: KeepTime,
    notices: list[BreachNotice],
    now: datetime,
    public_url: str,
) -> tuple[str, str]:
    """Subject and body, in the workspace's language, times in its time zone."""
    text = _TEXT.get(workspace.locale, _TEXT["en"])
    ids = [n.conversation_id for n in notices]
    query = select(Conversation.id, Conversation.platform).where(
        Conversation.workspace_id == workspace.id, Conversation.id.in_(ids)
    )
    platforms = {conversation_id: platform for conversation_id, platform in session.execute(query)}
    zone = keep_time.calendar.timezone
    lines = [text["intro"], ""]
    for notice in notices:
        left = business_time_between(now, notice.due_at, keep_time.calendar)
        minutes = int(left.total_seconds() // 60)
        lines.append(
            text["line"].format(
                id=notice.conversation_id,
                priority=notice.priority,
                platform=platforms.get(notice.conversation_id, "?"),
                due=notice.due_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
                zone=zone.key,
                left=text["left"].format(minutes=minutes) if minutes > 0 else text["late"],
            )
        )
        lines.append(f"  {public_url}/w/{workspace.slug}/c/{notice.conversation_id}")
    subject = text["subject"].format(name=workspace.name, count=len(notices))
    return subject, "\n".join(lines) + "\n"
