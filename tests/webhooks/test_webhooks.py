"""Outgoing webhooks end to end: real ingest queues the event, a real HTTP receiver checks the
signature over the raw bytes, failures are retried with back-off and recorded."""

from __future__ import annotations

import ipaddress
import json
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, text

from ecoute.ingest import IngestOptions, ingest
from ecoute.settings import Settings
from ecoute.store.people import WebhookDelivery, WebhookEndpoint
from ecoute.store.repo import Invalid
from ecoute.store.types import utcnow
from ecoute.webhooks import endpoints
from ecoute.webhooks.delivery import MAX_ATTEMPTS, deliver_due
from ecoute.webhooks.events import enqueue_high_priority
from factories import raw_item
from webhook_receivers import running_receiver

# These tests send the queued deliveries themselves, step by step.
pytestmark = pytest.mark.usefixtures("jobs_wait")

SECRET_KEY = "test-secret-key"
LOOPBACK = "127.0.0.1"


@dataclass
class FixedAnnotation:
    """What the analysis engine would say, fixed per text so the test decides the priority."""

    priority: int
    lang: str | None = "fr"
    sentiment: str | None = "negative"
    sentiment_score: float | None = -0.8
    intent: str | None = "complaint"
    needs_reply: bool | None = True
    reasons: list[str] = field(default_factory=lambda: ["plainte négative"])

    def details(self) -> dict[str, Any]:
        return {}


def annotate(items):
    return [FixedAnnotation(priority=85 if "urgent" in item.text else 20) for item in items]


@pytest.fixture
def settings() -> Settings:
    # The receivers listen on 127.0.0.1, which webhooks may reach only when the operator allows it.
    return Settings(
        {
            "secret_key": SECRET_KEY,
            "public_url": "https://ecoute.example",
            "http_timeout": "5",
            "webhook_allow_private": LOOPBACK,
        }
    )


def add_endpoint(db, workspace, url, **options):
    with db.session() as session:
        secret, row = endpoints.create_endpoint(
            session,
            workspace.id,
            url=url,
            secret_key=SECRET_KEY,
            actor="test",
            allowed=[ipaddress.ip_network(LOOPBACK)],
            **options,
        )
    return secret, row


def ingest_items(db, workspace, *items):
    options = IngestOptions(annotate=annotate, after_store=enqueue_high_priority)
    return ingest(db, workspace, list(items), options=options)


def deliveries(db):
    with db.session() as session:
        return list(session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def test_a_new_high_priority_conversation_is_posted_signed_over_the_raw_body(db, workspace, settings):
    with running_receiver() as receiver:
        receiver.secret, _ = add_endpoint(db, workspace, receiver.url)
        ingest_items(
            db,
            workspace,
            raw_item("1", "Colis urgent jamais arrivé", author="marie"),
            raw_item("2", "Bonjour", author="paul"),
        )

        report = deliver_due(db, settings=settings)

    assert report.delivered == 1
    assert [r.verified for r in receiver.requests] == [True]
    sent = receiver.requests[0]
    payload = json.loads(sent.body)
    assert sent.headers["x-ecoute-event"] == "conversation.high_priority"
    assert sent.headers["x-ecoute-delivery"] == payload["id"]
    assert payload["conversation"]["priority"] == 85
    assert payload["conversation"]["mention"]["text"] == "Colis urgent jamais arrivé"
    assert payload["conversation"]["author"]["handle"] == "marie"
    assert payload["conversation"]["url"].startswith("https://ecoute.example/w/acme/c/")
    assert "priority 85" in payload["text"]
    [row] = deliveries(db)
    assert (row.status, row.attempts, row.response_status) == ("delivered", 1, 204)


def test_a_conversation_is_announced_once_even_when_more_arrives(db, workspace, settings):
    with running_receiver() as receiver:
        receiver.secret, _ = add_endpoint(db, workspace, receiver.url)
        ingest_items(db, workspace, raw_item("1", "Colis urgent", author="marie", thread_id="1"))
        deliver_due(db, settings=settings)
        ingest_items(
            db,
            workspace,
            raw_item("1", "Colis urgent", author="marie", thread_id="1"),
            raw_item("2", "Toujours urgent !", author="marie", parent_id="1", thread_id="1"),
        )
        report = deliver_due(db, settings=settings)

    assert report.delivered == 0
    assert len(receiver.requests) == 1
    assert len(deliveries(db)) == 1


def test_a_failing_receiver_is_retried_with_back_off_until_it_accepts(db, workspace, settings):
    with running_receiver(fail_first=2) as receiver:
        receiver.secret, _ = add_endpoint(db, workspace, receiver.url)
        ingest_items(db, workspace, raw_item("1", "Colis urgent", author="marie"))
        start = utcnow()

        first = deliver_due(db, start, settings=settings)
        after_first = deliveries(db)[0]
        too_early = deliver_due(db, start + timedelta(seconds=59), settings=settings)
        second = deliver_due(db, start + timedelta(seconds=61), settings=settings)
        after_second = deliveries(db)[0]
        third = deliver_due(db, start + timedelta(seconds=61 + 301), settings=settings)

    assert (first.retrying, too_early.retrying, second.retrying, third.delivered) == (1, 0, 1, 1)
    assert (after_first.attempts, after_first.response_status) == (1, 503)
    assert after_first.next_attempt_at == start + timedelta(seconds=60)
    assert after_first.last_error == "HTTP 503 Service Unavailable"
    assert after_second.next_attempt_at == start + timedelta(seconds=61 + 300)
    assert [r.verified for r in receiver.requests] == [True, True, True]
    final = deliveries(db)[0]
    assert (final.status, final.attempts, final.last_error) == ("delivered", 3, None)


def test_retry_after_from_the_receiver_is_honoured(db, workspace, settings):
    with running_receiver(fail_first=1, retry_after="600") as receiver:
        receiver.secret, _ = add_endpoint(db, workspace, receiver.url)
        ingest_items(db, workspace, raw_item("1", "Colis urgent", author="marie"))
        start = utcnow()
        deliver_due(db, start, settings=settings)

    assert deliveries(db)[0].next_attempt_at == start + timedelta(seconds=600)


def test_a_receiver_that_never_accepts_is_given_up_after_the_last_attempt(db, workspace, settings):
    with running_receiver(fail_first=100) as receiver:
        receiver.secret, endpoint = add_endpoint(db, workspace, receiver.url)
        ingest_items(db, workspace, raw_item("1", "Colis urgent", author="marie"))
        when = utcnow()
        reports = []
        for _ in range(MAX_ATTEMPTS):
            reports.append(deliver_due(db, when, settings=settings))
            when += timedelta(days=1)

    assert [r.failed for r in reports] == [0] * (MAX_ATTEMPTS - 1) + [1]
    assert len(receiver.requests) == MAX_ATTEMPTS
    row = deliveries(db)[0]
    assert (row.status, row.attempts, row.next_attempt_at) == ("failed", MAX_ATTEMPTS, None)
    with db.session() as session:
        assert session.get(WebhookEndpoint, endpoint.id).consecutive_failures == MAX_ATTEMPTS


def test_an_unreachable_receiver_is_retried_with_the_connection_error_recorded(db, workspace, settings):
    with running_receiver() as receiver:
        url = receiver.url  # the server is closed when the block ends: nothing listens there now
    add_endpoint(db, workspace, url)
    ingest_items(db, workspace, raw_item("1", "Colis urgent", author="marie"))

    report = deliver_due(db, settings=settings)

    assert report.retrying == 1
    assert deliveries(db)[0].last_error.startswith("ConnectError")


def test_below_the_threshold_or_disabled_nothing_is_queued(db, workspace, settings):
    add_endpoint(db, workspace, "https://hooks.example/high", min_priority=90)
    _, disabled = add_endpoint(db, workspace, "https://hooks.example/off")
    with db.session() as session:
        endpoints.set_enabled(session, workspace.id, disabled.id, False, actor="test")

    ingest_items(db, workspace, raw_item("1", "Colis urgent", author="marie"))

    assert deliveries(db) == []


def test_the_signing_secret_is_encrypted_at_rest_and_a_changed_key_fails_clearly(db, workspace):
    with running_receiver() as receiver:
        receiver.secret, _ = add_endpoint(db, workspace, receiver.url)
        ingest_items(db, workspace, raw_item("1", "Colis urgent", author="marie"))
        report = deliver_due(db, settings=Settings({"secret_key": "another-key"}))

    with db.session() as session:
        stored = session.execute(text("SELECT secret FROM webhook_endpoints")).scalar_one()
    assert receiver.secret.startswith("whsec_")
    assert receiver.secret not in stored
    assert report.failed == 1
    assert receiver.requests == []
    assert "cannot be decrypted" in deliveries(db)[0].last_error


def test_another_workspaces_endpoints_never_hear_of_ours(db, workspace, other_workspace, settings):
    with running_receiver() as receiver:
        receiver.secret, _ = add_endpoint(db, other_workspace, receiver.url)
        ingest_items(db, workspace, raw_item("1", "Colis urgent", author="marie"))
        deliver_due(db, settings=settings)

    assert receiver.requests == []


def test_an_endpoint_subscribed_to_deadlines_only_gets_no_high_priority_event(db, workspace):
    _, urgent_only = add_endpoint(
        db, workspace, "https://hooks.example/urgent", events=[endpoints.HIGH_PRIORITY]
    )
    _, breach_only = add_endpoint(db, workspace, "https://hooks.example/sla", events=[endpoints.BREACH_SOON])

    ingest_items(db, workspace, raw_item("1", "Colis urgent jamais arrivé", author="marie"))

    assert [(d.endpoint_id, d.event) for d in deliveries(db)] == [(urgent_only.id, endpoints.HIGH_PRIORITY)]
    assert breach_only.events == [endpoints.BREACH_SOON]


def test_an_endpoint_takes_known_events_only(db, workspace):
    with pytest.raises(Invalid, match="conversation.breach_soon"):
        add_endpoint(db, workspace, "https://hooks.example/x", events=["conversation.resolved"])
    with pytest.raises(Invalid, match="choose one or more"):
        add_endpoint(db, workspace, "https://hooks.example/x", events=[])
