"""Alerts told to people: an e-mail (HTML and plain text, in the workspace's language) and a post to
a Slack-compatible incoming webhook, each sent on the task queue with retries.

A long crisis is rescanned every hour and its episode updated (the peak grows): that is folded into
the message already sent. Each channel says one crisis at most once per cooldown (the workspace's
setting, 2 hours by default): the volume, negative-share and term alerts of one burst make one
crisis, each impersonating account its own. An alert raised within the cooldown of a message about
the same crisis is recorded as folded into it; a new episode after the cooldown is sent again.
"""

from __future__ import annotations

import contextvars
import html
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from ecoute.jobs import defer
from ecoute.keep_time.mail import MailError, mail_configured, send_mail
from ecoute.settings import Settings
from ecoute.store.models import Workspace
from ecoute.store.types import utcnow
from ecoute.warn import explain, preferences
from ecoute.warn.models import Alert, AlertMessage
from ecoute.warn.preferences import AlertSettings
from ecoute.web.i18n import Translator, translator
from ecoute.webhooks.addresses import AddressRefused, guarded_client

logger = logging.getLogger(__name__)
CHANNELS = ("email", "slack")
FRESH = timedelta(hours=24)  # an episode that ended longer ago than this when first seen is history
JOB = "warn.deliver"
MAX_ATTEMPTS = 5


_posting: contextvars.ContextVar[str] = contextvars.ContextVar("posting", default="")


class _HideIncomingWebhook(logging.Filter):
    """httpx logs each request's full URL; an incoming webhook's path is its secret, so the URL
    being posted to is logged as its host only."""

    def filter(self, record: logging.LogRecord) -> bool:
        secret = _posting.get()
        if secret and isinstance(record.args, tuple) and any(str(a) == secret for a in record.args):
            shown = f"{urlsplit(secret).scheme}://{urlsplit(secret).hostname}/…"
            record.args = tuple(shown if str(a) == secret else a for a in record.args)
        return True


logging.getLogger("httpx").addFilter(_HideIncomingWebhook())


class DeliveryFailed(Exception):
    """A message could not be sent now (retried); the text never holds a secret."""


def crisis_of(alert: Alert) -> str:
    """What the cooldown counts on: every spike of a workspace is one crisis; each impersonator is its own."""
    return f"impersonation:{alert.subject}" if alert.kind == "impersonation" else "spike"


def plan(
    session: Session, workspace: Workspace, alerts: list[Alert], settings: AlertSettings, now: datetime
) -> list[AlertMessage]:
    """Record, for each channel on, what to send about these alerts (pending, and deferred to the
    queue) or what is folded into a message already sent; returns the new rows."""
    channels = [c for c in CHANNELS if (settings.email if c == "email" else settings.slack)]
    recent = sorted(
        (a for a in alerts if a.status != "resolved" and (a.ended_at is None or now - a.peak_at <= FRESH)),
        key=lambda a: (a.started_at, a.id),
    )
    if not channels or not recent:
        return []
    told = set(
        session.execute(
            select(AlertMessage.alert_id, AlertMessage.channel).where(
                AlertMessage.workspace_id == workspace.id, AlertMessage.alert_id.in_([a.id for a in recent])
            )
        ).all()
    )
    created = []
    for channel in channels:
        for alert in recent:
            if (alert.id, channel) in told:
                continue  # an update of an episode already told: folded into its message
            crisis = crisis_of(alert)
            lead = session.scalar(
                select(AlertMessage)
                .where(
                    AlertMessage.workspace_id == workspace.id,
                    AlertMessage.channel == channel,
                    AlertMessage.crisis == crisis,
                    AlertMessage.status.in_(("pending", "sent")),  # not folded into one that failed
                    AlertMessage.created_at > now - settings.cooldown,
                )
                .order_by(AlertMessage.created_at.desc())
                .limit(1)
            )
            message = AlertMessage(
                workspace_id=workspace.id, alert_id=alert.id, channel=channel, crisis=crisis,
                status="folded" if lead else "pending", folded_into=lead.id if lead else None,
                attempts=0, created_at=now,
            )  # fmt: skip
            session.add(message)
            session.flush()
            created.append(message)
            if lead is None:
                defer(
                    session,
                    JOB,
                    {"message_id": message.id},
                    key=f"{JOB}:{message.id}",
                    workspace_id=workspace.id,
                )
    if created:
        logger.info(
            "warn.messages_planned",
            extra={
                "workspace_id": workspace.id,
                "pending": sum(m.status == "pending" for m in created),
                "folded": sum(m.status == "folded" for m in created),
            },
        )
    return created


def send(session: Session, message: AlertMessage, settings: Settings, now: datetime | None = None) -> bool:
    """Send one pending message; True when it went (or had nothing left to do). Raises
    ``DeliveryFailed`` when the server or the chat tool refused it (the job retries)."""
    if message.status != "pending":
        return True
    alert = session.get(Alert, message.alert_id)
    workspace = session.get(Workspace, message.workspace_id)
    if alert is None or workspace is None:
        message.status = "failed"
        return True
    chosen = preferences.load(workspace)
    i18n = translator(workspace.locale, workspace.timezone)
    folded = list(
        session.scalars(
            select(Alert)
            .join(AlertMessage, AlertMessage.alert_id == Alert.id)
            .where(AlertMessage.folded_into == message.id)
            .order_by(Alert.started_at)
        )
    )
    content = compose(session, workspace, alert, folded, i18n, settings.public_url, now or utcnow())
    # Everything is read before the first change to the message: nothing is written (no lock held
    # on SQLite) while the mail server or the chat tool takes its time to answer.
    to = preferences.recipients(session, workspace.id, chosen) if message.channel == "email" else []
    message.attempts += 1
    try:
        if message.channel == "email":
            if not to or not mail_configured(settings):
                message.status, message.error = "failed", "no recipient or no SMTP server configured"
                return True
            send_mail(settings, to, content.subject, content.text, html=content.html)
        else:
            _post_slack(preferences.slack_url(chosen, settings.unseal_keys), content, settings)
    except (MailError, DeliveryFailed) as error:
        message.error = str(error)[:300]
        logger.warning(
            "warn.message_failed",
            extra={"workspace_id": workspace.id, "channel": message.channel, "attempt": message.attempts,
                   "error": message.error},
        )  # fmt: skip
        raise DeliveryFailed(f"{message.channel}: {message.error}") from None
    message.status, message.sent_at, message.error = "sent", utcnow(), None
    logger.info("warn.message_sent", extra={"workspace_id": workspace.id, "channel": message.channel})
    return True


def _post_slack(url: str, content: Content, settings: Settings) -> None:
    if not url:
        raise DeliveryFailed("no incoming webhook URL set")
    host = urlsplit(url).hostname or "?"  # the path is the secret: only the host is ever logged
    token = _posting.set(url)
    try:
        with guarded_client(settings) as http:
            response = http.post(url, json={"text": content.chat_text, "blocks": content.blocks})
    except AddressRefused:
        raise DeliveryFailed(f"{host}: address refused (public addresses only)") from None
    except httpx.HTTPError as error:
        raise DeliveryFailed(f"{host}: {type(error).__name__}") from None
    finally:
        _posting.reset(token)
    if not response.is_success:
        raise DeliveryFailed(f"{host}: HTTP {response.status_code}")


@dataclass(frozen=True)
class Content:
    subject: str
    text: str
    html: str
    chat_text: str
    blocks: list[dict[str, Any]]


def compose(
    session: Session,
    workspace: Workspace,
    alert: Alert,
    folded: list[Alert],
    i18n: Translator,
    base_url: str,
    now: datetime,
) -> Content:
    """The message about ``alert`` (and the alerts of the same crisis folded into it): what, observed
    against expected, since when, the rising terms, the authors and sources, a few posts, and the
    link to the inbox filtered to exactly its mentions."""
    t = i18n.t
    why = explain.explain(session, alert, now)
    link = base_url.rstrip("/") + explain.inbox_path(workspace.slug, alert, why)
    alerts_link = f"{base_url.rstrip('/')}/w/{workspace.slug}/alerts"
    what = t(f"alerts.kind.{alert.kind}")
    summary = summary_of(alert, i18n)
    subject = t("alerts.mail.subject", name=workspace.name, what=what)
    facts: list[tuple[str, str]] = [
        (t("alerts.started"), i18n.datetime(alert.started_at)),
        (t("alerts.peak"), i18n.datetime(alert.peak_at)),
        (t("alerts.mentions"), t("alerts.mentions_count", n=why.mentions, negative=why.negative)),
    ]
    if why.terms:
        facts.append((t("alerts.terms"), ", ".join(term for term, _ in why.terms)))
    if why.authors:
        facts.append((t("alerts.authors"), ", ".join(f"@{h}" for h, _, _ in why.authors)))
    if why.platforms:
        facts.append((t("alerts.where"), ", ".join(f"{p} {n}" for p, n in why.platforms)))
    samples = [" ".join(m.text.split())[:280] for m in why.samples]
    also = [t(f"alerts.kind.{a.kind}") + " · " + summary_of(a, i18n) for a in folded if a.id != alert.id]
    text_lines = [f"{what} · {workspace.name}", "", summary, ""]
    text_lines += [f"{label}: {value}" for label, value in facts]
    if samples:
        text_lines += ["", t("alerts.mail.samples")] + [f"- {s}" for s in samples]
    if also:
        text_lines += ["", t("alerts.mail.also")] + [f"- {a}" for a in also]
    text_lines += ["", f"{t('alerts.mail.open_inbox')}: {link}", f"{t('alerts.title')}: {alerts_link}"]
    text_lines += ["", t("alerts.mail.why", name=workspace.name)]
    e = html.escape
    rows = "".join(
        f'<tr><th align="left" style="padding:2px 12px 2px 0">{e(label)}</th><td>{e(value)}</td></tr>'
        for label, value in facts
    )
    body = [
        f'<h1 style="font-size:18px">{e(what)} · {e(workspace.name)}</h1>',
        f"<p>{e(summary)}</p>",
        f'<table role="presentation">{rows}</table>',
    ]
    if samples:
        body.append(f'<h2 style="font-size:15px">{e(t("alerts.mail.samples"))}</h2>')
        body.append("<ul>" + "".join(f"<li>{e(s)}</li>" for s in samples) + "</ul>")
    if also:
        body.append(f'<h2 style="font-size:15px">{e(t("alerts.mail.also"))}</h2>')
        body.append("<ul>" + "".join(f"<li>{e(a)}</li>" for a in also) + "</ul>")
    body.append(f"<p><a href=\"{e(link)}\">{e(t('alerts.mail.open_inbox'))}</a> · "
                f"<a href=\"{e(alerts_link)}\">{e(t('alerts.title'))}</a></p>")  # fmt: skip
    body.append(f'<p style="color:#666;font-size:12px">{e(t("alerts.mail.why", name=workspace.name))}</p>')
    page = (
        f'<!doctype html><html lang="{e(i18n.locale)}"><head><meta charset="utf-8">'
        f'<title>{e(subject)}</title></head><body style="font-family:sans-serif">'
        f"{''.join(body)}</body></html>"
    )
    chat_text = f"Écoute · {workspace.name}: {what}. {summary} {link}"
    fields = "\n".join(f"*{label}:* {value}" for label, value in facts)
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": f"{what} · {workspace.name}"[:150]}},
        {"type": "section", "text": {"type": "mrkdwn", "text": f"{summary}\n{fields}"[:3000]}},
    ]
    if samples:
        quoted = "\n".join(f"> {s}" for s in samples)
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": quoted[:3000]}})
    if also:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": "\n".join(also)[:3000]}]})
    blocks.append(
        {"type": "section", "text": {"type": "mrkdwn", "text": f"<{link}|{t('alerts.mail.open_inbox')}>"}}
    )
    return Content(subject, "\n".join(text_lines) + "\n", page, chat_text, blocks)


def summary_of(alert: Alert, i18n: Translator) -> str:
    """One sentence: observed against expected, or who imitates whom, or which term rose."""
    t = i18n.t
    details = alert.details or {}
    if alert.kind == "impersonation":
        return t(
            "alerts.imitates",
            handle="@" + str(details.get("handle", "?")),
            name=details.get("display_name") or details.get("handle", "?"),
            brand=details.get("brand", "?"),
            score=round(100 * float(details.get("score") or 0)),
        ).rstrip(":")
    if alert.kind == "term":
        return t(
            "alerts.term_rose",
            term=details.get("term", "?"),
            authors=i18n.number(int(details.get("authors") or 0)),
            before=i18n.number(int(details.get("authors_before") or 0)),
        )
    observed, expected = i18n.number(round(alert.observed)), i18n.number(round(alert.expected, 1))
    if alert.expected >= 0.5:
        ratio = i18n.number(round(alert.observed / alert.expected, 1))
        return t(f"alerts.observed_ratio.{alert.kind}", observed=observed, expected=expected, ratio=ratio)
    return t(f"alerts.observed.{alert.kind}", observed=observed, expected=expected)
