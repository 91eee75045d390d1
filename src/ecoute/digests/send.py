"""Sending digests, each once: a person's e-mail, and the workspace's Slack message.

Every (workspace, recipient, period) gets one ``digest_sends`` row (unique), inserted if missing and
then *claimed* by one conditional update: a job run twice, or two workers at once, cannot both
claim it. The claim is committed before anything leaves; the row is marked sent once the SMTP
server (or Slack) took the message. A worker killed in between leaves a claim that another run
takes over after ``CLAIM_LEASE`` (the one case where a digest could go out twice: the server took
it and the worker died before it could write so); a failure is tried again up to ``MAX_ATTEMPTS``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

import httpx
from sqlalchemy import or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ecoute.digests import content, render, schedule
from ecoute.digests.models import FREQUENCIES, PERIODS, DigestPreference, DigestSend
from ecoute.digests.tokens import unsubscribe_token
from ecoute.keep_time.mail import MailError, build_message, mail_configured, send_message
from ecoute.settings import Settings
from ecoute.store.db import Database
from ecoute.store.models import Membership, User, Workspace
from ecoute.store.repo import Invalid
from ecoute.store.types import utcnow
from ecoute.web.i18n import LOCALES, translator
from ecoute.webhooks.addresses import AddressRefused, allowed_networks, guarded_client
from ecoute.webhooks.endpoints import validate_url
from ecoute.webhooks.sealing import SecretUnreadable, seal, unseal

logger = logging.getLogger(__name__)
CLAIM_LEASE = timedelta(minutes=15)
MAX_ATTEMPTS = 5
SLACK = "slack"
DEFAULT_HOUR = 8


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0
    skipped: int = 0  # already sent, or being sent by another run
    errors: list[str] = field(default_factory=list)


# -- preferences -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Preference:
    frequency: str = "off"
    hour: int = DEFAULT_HOUR
    weekday: int = 0


def preference(session: Session, workspace_id: int, user_id: int) -> Preference:
    row = session.scalar(
        select(DigestPreference).where(
            DigestPreference.workspace_id == workspace_id, DigestPreference.user_id == user_id
        )
    )
    return Preference(row.frequency, row.hour, row.weekday) if row else Preference()


def check_preference(frequency: str, hour: int, weekday: int) -> Preference:
    if frequency not in FREQUENCIES:
        raise Invalid(f"frequency: {frequency!r}: use {', '.join(FREQUENCIES)}")
    if not 0 <= hour <= 23:
        raise Invalid(f"hour: {hour}: give an hour from 0 to 23")
    if not 0 <= weekday <= 6:
        raise Invalid(f"weekday: {weekday}: give a day from 0 (Monday) to 6 (Sunday)")
    return Preference(frequency, hour, weekday)


def set_preference(
    session: Session,
    workspace_id: int,
    user_id: int,
    frequency: str,
    hour: int = DEFAULT_HOUR,
    weekday: int = 0,
) -> Preference:
    chosen = check_preference(frequency, hour, weekday)
    row = session.scalar(
        select(DigestPreference).where(
            DigestPreference.workspace_id == workspace_id, DigestPreference.user_id == user_id
        )
    )
    if row is None:
        row = DigestPreference(workspace_id=workspace_id, user_id=user_id)
        session.add(row)
    row.frequency, row.hour, row.weekday, row.updated_at = frequency, hour, weekday, utcnow()
    session.flush()
    return chosen


# -- the workspace's Slack channel -----------------------------------------------------------


@dataclass(frozen=True)
class SlackSettings:
    sealed_url: str | None = None
    frequency: str = "off"
    hour: int = DEFAULT_HOUR
    weekday: int = 0


def slack_settings(workspace: Workspace) -> SlackSettings:
    data = (workspace.settings or {}).get("digest_slack") or {}
    if not isinstance(data, dict) or not data.get("url"):
        return SlackSettings()
    return SlackSettings(
        data["url"], data.get("frequency", "weekly"), data.get("hour", DEFAULT_HOUR), data.get("weekday", 0)
    )


def set_slack(
    session: Session,
    workspace: Workspace,
    settings: Settings,
    *,
    url: str | None,
    frequency: str = "weekly",
    hour: int = DEFAULT_HOUR,
    weekday: int = 0,
) -> SlackSettings:
    """Set (sealed at rest) or, with ``url=None``, remove the workspace's incoming webhook; a blank
    URL keeps the one already set and changes only the schedule."""
    check_preference(frequency, hour, weekday)
    current = dict((workspace.settings or {}).get("digest_slack") or {})
    if url is not None and url.strip():
        current["url"] = seal(settings.secret_key, validate_url(url, allowed_networks(settings)))
    elif url is not None and not current.get("url"):
        raise Invalid("url: give the incoming webhook's address")
    merged = dict(workspace.settings or {})
    if url is None:
        merged.pop("digest_slack", None)
    else:
        merged["digest_slack"] = {**current, "frequency": frequency, "hour": hour, "weekday": weekday}
    workspace.settings = merged
    session.flush()
    return slack_settings(workspace)


# -- composing -------------------------------------------------------------------------------


def locale_for(user: User | None, workspace: Workspace) -> str:
    """The person's language, else the workspace's."""
    if user is not None and user.locale in LOCALES:
        return str(user.locale)
    return workspace.locale if workspace.locale in LOCALES else "en"


def unsubscribe_url(settings: Settings, workspace_id: int, user_id: int) -> str:
    token = unsubscribe_token(settings.secret_key, workspace_id, user_id)
    return f"{settings.public_url}/digest/unsubscribe/{token}"


def compose_email(
    session: Session,
    settings: Settings,
    workspace: Workspace,
    user: User,
    period: schedule.DigestPeriod,
    *,
    now: datetime,
) -> tuple[render.Rendered, EmailMessage]:
    digest = content.build(session, workspace, period, now=now)
    i18n = translator(locale_for(user, workspace), workspace.timezone)
    unsubscribe = unsubscribe_url(settings, workspace.id, user.id)
    links = render.Links(settings.public_url, workspace.slug, unsubscribe)
    rendered = render.email(digest, i18n, links)
    message = build_message(settings, [user.email], rendered.subject, rendered.text, rendered.html)
    # RFC 2369 and RFC 8058: mail clients show an "Unsubscribe" button that POSTs to the link.
    message["List-Unsubscribe"] = f"<{unsubscribe}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["List-Id"] = f"Écoute {workspace.slug} digest <{workspace.slug}.digest.ecoute>"
    message["Auto-Submitted"] = "auto-generated"
    return rendered, message


def compose_slack(
    session: Session,
    settings: Settings,
    workspace: Workspace,
    period: schedule.DigestPeriod,
    *,
    now: datetime,
) -> dict[str, Any]:
    digest = content.build(session, workspace, period, now=now)
    i18n = translator(locale_for(None, workspace), workspace.timezone)
    return render.slack(digest, i18n, render.Links(settings.public_url, workspace.slug))


# -- sending once ----------------------------------------------------------------------------


def _claim(
    db: Database, workspace_id: int, recipient: str, period: schedule.DigestPeriod, now: datetime
) -> int | None:
    """The row's id if this run now owns the send; None if it was sent or another run holds it."""
    with db.session() as session:
        table = DigestSend.__table__
        insert = (postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert)(
            table
        )
        session.execute(
            insert.values(
                workspace_id=workspace_id,
                recipient=recipient,
                period=period.kind,
                period_start=period.start,
                status="pending",
                attempts=0,
                created_at=now,
            ).on_conflict_do_nothing(index_elements=["workspace_id", "recipient", "period", "period_start"])
        )
    with db.session() as session:
        s = DigestSend
        row_id = session.scalar(
            select(s.id).where(
                s.workspace_id == workspace_id,
                s.recipient == recipient,
                s.period == period.kind,
                s.period_start == period.start,
            )
        )
        claimed = session.execute(
            update(s)
            .where(
                s.id == row_id,
                or_(
                    s.status == "pending",
                    (s.status == "failed") & (s.attempts < MAX_ATTEMPTS),
                    (s.status == "sending")
                    & (s.claimed_at < now - CLAIM_LEASE)
                    & (s.attempts < MAX_ATTEMPTS),
                ),
            )
            .values(status="sending", claimed_at=now, attempts=s.attempts + 1)
        )
        return row_id if claimed.rowcount == 1 else None  # type: ignore[attr-defined]


def _finish(db: Database, row_id: int, error: str | None, now: datetime) -> None:
    with db.session() as session:
        session.execute(
            update(DigestSend)
            .where(DigestSend.id == row_id)
            .values(
                status="failed" if error else "sent",
                sent_at=None if error else now,
                error=error[:500] if error else None,
            )
        )


class SlackRefused(Exception):
    pass


# What a delivery may fail with and be tried again for (anything else is a bug: marked failed, raised).
EXPECTED_FAILURES: tuple[type[Exception], ...] = (
    MailError,
    SecretUnreadable,
    AddressRefused,
    httpx.HTTPError,
    SlackRefused,
)


def _once(
    db: Database,
    workspace_id: int,
    recipient: str,
    period: schedule.DigestPeriod,
    moment: datetime,
    report: SendReport | None,
    deliver: Callable[[], None],
) -> SendReport:
    """Claim the send, ``deliver()``, and record how it went."""
    report = report or SendReport()
    row_id = _claim(db, workspace_id, recipient, period, moment)
    if row_id is None:
        report.skipped += 1
        return report
    error = None
    try:
        deliver()
    except EXPECTED_FAILURES as failure:
        error = str(failure) or type(failure).__name__
    except Exception as failure:
        _finish(db, row_id, f"{type(failure).__name__}: {failure}", utcnow())
        raise
    _finish(db, row_id, error, utcnow())
    _count(report, error, recipient)
    return report


def send_email_digest(
    db: Database,
    settings: Settings,
    workspace_id: int,
    user_id: int,
    period: schedule.DigestPeriod,
    *,
    now: datetime | None = None,
    report: SendReport | None = None,
) -> SendReport:
    """Send one person's digest for ``period``, unless it was sent already."""
    moment = now or utcnow()

    def deliver() -> None:
        with db.session() as session:
            workspace, user = session.get(Workspace, workspace_id), session.get(User, user_id)
            assert workspace is not None and user is not None
            _, message = compose_email(session, settings, workspace, user, period, now=moment)
        send_message(settings, message)

    return _once(db, workspace_id, f"user:{user_id}", period, moment, report, deliver)


def send_slack_digest(
    db: Database,
    settings: Settings,
    workspace_id: int,
    period: schedule.DigestPeriod,
    *,
    now: datetime | None = None,
    report: SendReport | None = None,
    client: httpx.Client | None = None,
) -> SendReport:
    """Post the workspace's digest for ``period`` to its Slack webhook, unless it was posted already."""
    moment = now or utcnow()

    def deliver() -> None:
        with db.session() as session:
            workspace = session.get(Workspace, workspace_id)
            assert workspace is not None
            sealed = slack_settings(workspace).sealed_url
            if sealed is None:
                raise SecretUnreadable("no Slack webhook set")
            url = unseal(settings.unseal_keys, sealed)
            payload = compose_slack(session, settings, workspace, period, now=moment)
        post_slack(settings, url, payload, client=client)

    return _once(db, workspace_id, SLACK, period, moment, report, deliver)


def post_slack(
    settings: Settings, url: str, payload: dict[str, Any], *, client: httpx.Client | None = None
) -> None:
    http = client or guarded_client(settings)
    try:
        response = http.post(url, json=payload)
    finally:
        if client is None:
            http.close()
    if response.status_code >= 300:
        raise SlackRefused(f"HTTP {response.status_code}: {response.text[:200]}")


def _count(report: SendReport, error: str | None, who: str) -> None:
    if error:
        report.failed += 1
        report.errors.append(f"{who}: {error}")
        logger.warning("digest.failed", extra={"recipient": who, "error": error[:200]})
    else:
        report.sent += 1
        logger.info("digest.sent", extra={"recipient": who})


# -- what is due -----------------------------------------------------------------------------


def send_due(db: Database, settings: Settings, *, now: datetime | None = None) -> SendReport:
    """Every digest due at ``now`` (``schedule.due``) that was not sent yet: people's e-mails when
    SMTP is configured, and workspaces' Slack messages."""
    moment = now or utcnow()
    report = SendReport()
    with db.session() as session:
        people = session.execute(
            select(DigestPreference, Workspace.timezone)
            .join(Workspace, Workspace.id == DigestPreference.workspace_id)
            .join(
                Membership,
                (Membership.workspace_id == DigestPreference.workspace_id)
                & (Membership.user_id == DigestPreference.user_id),
            )
            .join(User, User.id == DigestPreference.user_id)
            .where(DigestPreference.frequency.in_(PERIODS), User.disabled_at.is_(None))
            .order_by(DigestPreference.id)
        ).all()
        wanted = [
            (p.workspace_id, p.user_id, period)
            for p, timezone in people
            if (period := schedule.due(p.frequency, p.hour, p.weekday, moment, timezone)) is not None
        ]
        channels = []
        for workspace in session.scalars(select(Workspace).order_by(Workspace.id)):
            slack = slack_settings(workspace)
            if slack.sealed_url and slack.frequency in PERIODS:
                period = schedule.due(slack.frequency, slack.hour, slack.weekday, moment, workspace.timezone)
                if period is not None:
                    channels.append((workspace.id, period))
    if wanted and not mail_configured(settings):
        logger.info("digest.no_smtp", extra={"due": len(wanted)})
        wanted = []
    for workspace_id, user_id, period in wanted:
        send_email_digest(db, settings, workspace_id, user_id, period, now=moment, report=report)
    for workspace_id, period in channels:
        send_slack_digest(db, settings, workspace_id, period, now=moment, report=report)
    return report


def unsubscribe(session: Session, workspace_id: int, user_id: int) -> bool:
    """Turn the person's digest off in the workspace; False if it was off already."""
    row = session.scalar(
        select(DigestPreference).where(
            DigestPreference.workspace_id == workspace_id, DigestPreference.user_id == user_id
        )
    )
    if row is None or row.frequency == "off":
        return False
    row.frequency, row.updated_at = "off", utcnow()
    return True
