"""Sending queued webhook deliveries: signed POSTs, retried with back-off, every try recorded.

Rows are claimed in a short transaction (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several
workers share the queue), sent with no transaction open, and their outcome written in another:
a worker killed mid-send leaves the row to be retried after ``LEASE``, never lost.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from ecoute.http import retry_after_seconds
from ecoute.settings import Settings, get_settings
from ecoute.store.db import Database
from ecoute.store.people import WebhookDelivery, WebhookEndpoint
from ecoute.store.types import utcnow
from ecoute.webhooks import signing
from ecoute.webhooks.addresses import AddressRefused, guarded_client
from ecoute.webhooks.sealing import SecretUnreadable, unseal

logger = logging.getLogger(__name__)
# Waits after failed try number 1, 2, …; after the last one the delivery is given up ("failed").
BACKOFF_S: tuple[int, ...] = (60, 300, 1800, 7200, 21600, 43200)
MAX_ATTEMPTS = len(BACKOFF_S) + 1
MAX_RETRY_AFTER_S = 86400
LEASE = timedelta(minutes=5)


@dataclass
class DeliveryReport:
    delivered: int = 0
    retrying: int = 0
    failed: int = 0


@dataclass(frozen=True)
class _Claim:
    id: int
    endpoint_id: int
    url: str
    sealed_secret: str
    event: str
    event_id: str
    payload: dict[str, Any]
    attempt: int


@dataclass(frozen=True)
class _Outcome:
    ok: bool
    status: int | None = None
    error: str | None = None
    retry_after_s: float | None = None
    permanent: bool = False


def backoff_after(attempt: int) -> timedelta:
    """The wait after failed try number ``attempt`` (1-based)."""
    return timedelta(seconds=BACKOFF_S[min(attempt, len(BACKOFF_S)) - 1])


def deliver_due(
    db: Database,
    now: datetime | None = None,
    *,
    settings: Settings | None = None,
    client: httpx.Client | None = None,
    limit: int = 100,
    clock: Callable[[], float] = time.time,
) -> DeliveryReport:
    """Send the deliveries due at ``now``; ``clock`` gives the signed timestamp (wall time)."""
    settings = settings or get_settings()
    now = now or utcnow()
    with db.session() as session:
        claims = _claim(session, now, limit)
    report = DeliveryReport()
    if not claims:
        return report
    own_client = client is None
    http = client or guarded_client(settings)
    try:
        for claim in claims:
            outcome = _send(http, claim, settings, clock)
            with db.session() as session:
                _record(session, claim, outcome, now, report)
    finally:
        if own_client:
            http.close()
    logger.info("webhook.deliver_done", extra=report.__dict__)
    return report


def _claim(session: Session, now: datetime, limit: int) -> list[_Claim]:
    query = (
        select(WebhookDelivery, WebhookEndpoint)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .where(
            WebhookDelivery.status == "pending",
            WebhookDelivery.next_attempt_at <= now,
            WebhookEndpoint.enabled.is_(True),
        )
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=WebhookDelivery)
    )
    claims = []
    for delivery, endpoint in session.execute(query):
        delivery.attempts += 1
        delivery.next_attempt_at = now + LEASE  # if this worker dies, another retries after the lease
        claims.append(
            _Claim(
                delivery.id,
                endpoint.id,
                endpoint.url,
                endpoint.secret,
                delivery.event,
                delivery.event_id,
                dict(delivery.payload),
                delivery.attempts,
            )
        )
    return claims


def body_of(payload: dict[str, Any], public_url: str) -> bytes:
    """The exact bytes sent (and signed): the payload with the conversation's web address."""
    conversation = dict(payload.get("conversation") or {})
    if "path" in conversation:
        conversation["url"] = public_url + conversation["path"]
    document = {**payload, "conversation": conversation} if conversation else payload
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _send(http: httpx.Client, claim: _Claim, settings: Settings, clock: Callable[[], float]) -> _Outcome:
    try:
        secret = unseal(settings.unseal_keys, claim.sealed_secret)
    except SecretUnreadable as error:
        return _Outcome(ok=False, error=str(error), permanent=True)
    body = body_of(claim.payload, settings.public_url)
    timestamp = int(clock())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": settings.raw("user_agent"),
        signing.TIMESTAMP_HEADER: str(timestamp),
        signing.SIGNATURE_HEADER: signing.sign(secret, timestamp, body),
        signing.EVENT_HEADER: claim.event,
        signing.DELIVERY_HEADER: claim.event_id,
    }
    try:
        response = http.post(claim.url, content=body, headers=headers)
    except AddressRefused as error:  # the address it resolves to now is not allowed: never retried
        logger.warning("webhook.address_refused", extra={"endpoint_id": claim.endpoint_id})
        return _Outcome(ok=False, error=str(error), permanent=True)
    except httpx.HTTPError as error:  # refused, reset, timed out, bad URL: all worth another try
        return _Outcome(ok=False, error=f"{type(error).__name__}: {' '.join(str(error).split())[:300]}")
    if response.is_success:
        return _Outcome(ok=True, status=response.status_code)
    return _Outcome(
        ok=False,
        status=response.status_code,
        error=f"HTTP {response.status_code} {response.reason_phrase}".rstrip(),
        retry_after_s=retry_after_seconds(response.headers.get("Retry-After")),
    )


def _record(
    session: Session, claim: _Claim, outcome: _Outcome, now: datetime, report: DeliveryReport
) -> None:
    delivery = session.get(WebhookDelivery, claim.id)
    endpoint = session.get(WebhookEndpoint, claim.endpoint_id)
    if delivery is None or endpoint is None:  # the endpoint was deleted meanwhile
        return
    delivery.response_status = outcome.status
    delivery.last_error = outcome.error
    log = {"delivery_id": claim.id, "endpoint_id": claim.endpoint_id, "attempt": claim.attempt}
    if outcome.ok:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = "delivered", utcnow(), None
        endpoint.consecutive_failures = 0
        report.delivered += 1
        logger.info("webhook.delivered", extra={**log, "status": outcome.status})
        return
    endpoint.consecutive_failures += 1
    if outcome.permanent or claim.attempt >= MAX_ATTEMPTS:
        delivery.status, delivery.next_attempt_at = "failed", None
        report.failed += 1
        logger.warning("webhook.failed", extra={**log, "status": outcome.status, "error": outcome.error})
        return
    wait = backoff_after(claim.attempt)
    if outcome.retry_after_s is not None:
        wait = timedelta(seconds=min(MAX_RETRY_AFTER_S, max(outcome.retry_after_s, wait.total_seconds())))
    delivery.next_attempt_at = now + wait
    report.retrying += 1
    logger.info("webhook.retry", extra={**log, "status": outcome.status, "wait_s": wait.total_seconds()})
