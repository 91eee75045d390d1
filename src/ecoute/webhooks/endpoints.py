"""Webhook endpoints a workspace admin registers: where to POST which events (``EVENTS``, each one
subscribed to on its own), and the secret to sign them with (shown once, kept sealed). Adding,
disabling and enabling are audited."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from ecoute.store.models import Workspace
from ecoute.store.people import WebhookDelivery, WebhookEndpoint
from ecoute.store.repo import Invalid, NotFound, record_audit
from ecoute.webhooks.addresses import AddressRefused, Network, check_url
from ecoute.webhooks.sealing import seal

logger = logging.getLogger(__name__)
HIGH_PRIORITY = "conversation.high_priority"  # a conversation reached the endpoint's priority
BREACH_SOON = "conversation.breach_soon"  # one at that priority is about to miss its first-response target
ALERT_RAISED = "alert.raised"  # the spike scan raised an alert (ecoute.warn)
SOURCE_NEEDS_RECONNECT = "source.needs_reconnect"  # a source's authorisation was refused (ecoute.sources)
EVENTS: tuple[str, ...] = (HIGH_PRIORITY, BREACH_SOON, ALERT_RAISED, SOURCE_NEEDS_RECONNECT)
DEFAULT_MIN_PRIORITY = 70
SECRET_PREFIX = "whsec_"
MAX_URL = 2000


def default_min_priority(workspace: Workspace) -> int:
    """The workspace's threshold for "high priority" (setting ``webhook_min_priority``, else 70)."""
    value = (workspace.settings or {}).get("webhook_min_priority", DEFAULT_MIN_PRIORITY)
    return value if isinstance(value, int) and 0 <= value <= 100 else DEFAULT_MIN_PRIORITY


def validate_url(url: str, allowed: Sequence[Network] = ()) -> str:
    """A well-formed http(s) URL whose host is not a private address (unless ``allowed``)."""
    url = url.strip()
    parts = urlsplit(url)
    if len(url) > MAX_URL or parts.scheme not in ("http", "https") or not parts.hostname:
        raise Invalid(f"url: give an http:// or https:// address (at most {MAX_URL} characters)")
    try:
        check_url(url, allowed)
    except AddressRefused as error:
        raise Invalid(f"url: {error}") from None
    return url


def create_endpoint(
    session: Session,
    workspace_id: int,
    *,
    url: str,
    secret_key: str,
    actor: str,
    description: str = "",
    events: Sequence[str] = EVENTS,
    min_priority: int | None = None,
    created_by_id: int | None = None,
    allowed: Sequence[Network] = (),
) -> tuple[str, WebhookEndpoint]:
    """Returns the signing secret (show it once) and the stored endpoint. ``allowed``: the private
    networks the operator allowed (``addresses.allowed_networks(settings)``)."""
    url = validate_url(url, allowed)
    unknown = sorted(set(events) - set(EVENTS))
    if unknown or not events:
        raise Invalid(f"events: choose one or more of {', '.join(EVENTS)}")
    workspace = session.get(Workspace, workspace_id)
    threshold = default_min_priority(workspace) if min_priority is None and workspace else min_priority
    if threshold is None or not 0 <= threshold <= 100:
        raise Invalid("min_priority: give a number from 0 to 100")
    secret = SECRET_PREFIX + secrets.token_urlsafe(18)  # sealed, it fits the 128-character column
    row = WebhookEndpoint(
        workspace_id=workspace_id,
        url=url,
        description=description.strip()[:200],
        secret=seal(secret_key, secret),
        events=sorted(set(events)),
        min_priority=threshold,
        enabled=True,
        created_by_id=created_by_id,
    )
    session.add(row)
    session.flush()
    record_audit(
        session,
        workspace_id,
        actor=actor,
        action="webhook.create",
        target_type="webhook",
        target_id=row.id,
        after={"url": url, "events": row.events, "min_priority": threshold, "enabled": True},
    )
    logger.info("webhook.endpoint_created", extra={"workspace_id": workspace_id, "endpoint_id": row.id})
    return secret, row


def list_endpoints(session: Session, workspace_id: int) -> list[WebhookEndpoint]:
    query = select(WebhookEndpoint).where(WebhookEndpoint.workspace_id == workspace_id)
    return list(session.scalars(query.order_by(WebhookEndpoint.id)))


def get_endpoint(session: Session, workspace_id: int, endpoint_id: int) -> WebhookEndpoint:
    row = session.scalar(
        select(WebhookEndpoint).where(
            WebhookEndpoint.workspace_id == workspace_id, WebhookEndpoint.id == endpoint_id
        )
    )
    if row is None:
        raise NotFound(f"no webhook #{endpoint_id} in this workspace")
    return row


def set_enabled(
    session: Session, workspace_id: int, endpoint_id: int, enabled: bool, *, actor: str
) -> WebhookEndpoint:
    row = get_endpoint(session, workspace_id, endpoint_id)
    if row.enabled != enabled:
        record_audit(
            session,
            workspace_id,
            actor=actor,
            action="webhook.enable" if enabled else "webhook.disable",
            target_type="webhook",
            target_id=row.id,
            before={"enabled": row.enabled},
            after={"enabled": enabled},
        )
        row.enabled = enabled
        row.consecutive_failures = 0 if enabled else row.consecutive_failures
    return row


def recent_deliveries(session: Session, workspace_id: int, *, limit: int = 20) -> list[WebhookDelivery]:
    query = select(WebhookDelivery).where(WebhookDelivery.workspace_id == workspace_id)
    return list(session.scalars(query.order_by(WebhookDelivery.id.desc()).limit(limit)))
