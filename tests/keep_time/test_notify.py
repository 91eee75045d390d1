"""Breach alerts: each high-priority conversation about to miss its target is announced once, by
webhook (queued, then delivered signed to a real local receiver) and by e-mail (to a real local
SMTP server), with failures retried and other workspaces left alone."""

from __future__ import annotations

import ipaddress
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from ecoute.keep_time.notices import BreachNotice
from ecoute.keep_time.notify import BREACH_SOON, notify_breaches, record_breach_notices
from ecoute.settings import Settings
from ecoute.store.models import Workspace
from ecoute.store.people import WebhookDelivery
from ecoute.webhooks import endpoints
from ecoute.webhooks.delivery import deliver_due
from ecoute.webhooks.endpoints import HIGH_PRIORITY
from response_factories import Builder
from smtp_receiver import running_smtp
from webhook_receivers import running_receiver

# These tests send the queued deliveries themselves, step by step.
pytestmark = pytest.mark.usefixtures("jobs_wait")

NOW = datetime(2026, 10, 14, 12, tzinfo=UTC)
SECRET_KEY = "test-secret-key"
LOOPBACK = "127.0.0.1"
ALWAYS_OPEN = {d: ["00:00-24:00"] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def settings(**extra: str) -> Settings:
    return Settings(
        {
            "secret_key": SECRET_KEY,
            "public_url": "https://ecoute.example",
            "http_timeout": "5",
            # The receivers listen on 127.0.0.1: webhooks reach it only when the operator allows it.
            "webhook_allow_private": LOOPBACK,
            **extra,
        }
    )


def smtp(port: int) -> Settings:
    return settings(smtp_host="127.0.0.1", smtp_port=str(port), smtp_security="none")


@pytest.fixture
def desk(db, workspace):
    """Four waiting conversations: urgent and due soon, urgent and late, urgent and fine, late but minor."""
    b = Builder(db, workspace)
    b.set_settings(
        {"business_hours": {"week": ALWAYS_OPEN}, "breach_alerts": {"emails": ["lead@example.org"]}}
    )
    ids = {}
    for name, priority, minutes_ago in (
        ("soon", 90, 50),
        ("late", 85, 120),
        ("fine", 90, 5),
        ("minor", 20, 900),
    ):
        ids[name] = b.conversation(NOW, priority=priority)
        b.mention(ids[name], NOW - timedelta(minutes=minutes_ago))
    return b, ids


def add_endpoint(db, workspace, url: str, **options):
    with db.session() as session:
        return endpoints.create_endpoint(
            session,
            workspace.id,
            url=url,
            secret_key=SECRET_KEY,
            actor="test",
            allowed=[ipaddress.ip_network(LOOPBACK)],
            **options,
        )


def record(db, workspace, now=NOW):
    with db.session() as session:
        return record_breach_notices(session, session.get(Workspace, workspace.id), now)


def rows(db, model):
    with db.session() as session:
        return list(session.scalars(select(model).order_by(model.id)))


def test_due_soon_and_late_high_priority_conversations_are_announced_once(db, workspace, desk):
    _, ids = desk
    add_endpoint(db, workspace, "https://hooks.example/a", min_priority=70)
    add_endpoint(db, workspace, "https://hooks.example/b", min_priority=88)

    first, queued = record(db, workspace)
    again, queued_again = record(db, workspace, NOW + timedelta(minutes=5))

    assert [(n.conversation_id, n.state) for n in first] == [
        (ids["late"], "breached"),
        (ids["soon"], "due_soon"),
    ]
    assert (queued, again, queued_again) == (3, [], 0)
    deliveries = rows(db, WebhookDelivery)
    assert {d.event for d in deliveries} == {BREACH_SOON}
    assert sorted(d.payload["conversation"]["id"] for d in deliveries) == sorted(
        [ids["late"], ids["soon"], ids["soon"]]
    )
    soon = next(d.payload for d in deliveries if d.payload["conversation"]["id"] == ids["soon"])
    assert soon["deadline"]["state"] == "due_soon"
    assert soon["deadline"]["remaining_seconds"] == 600
    assert soon["conversation"]["path"] == f"/w/acme/c/{ids['soon']}"
    assert "10 business min left" in soon["text"]


def test_a_new_wait_in_the_same_conversation_is_announced_again(db, workspace, desk):
    b, ids = desk
    record(db, workspace)
    b.reply(ids["late"], NOW + timedelta(minutes=1))
    b.mention(ids["late"], NOW + timedelta(minutes=2))

    later, _ = record(db, workspace, NOW + timedelta(minutes=70))

    # Soonest deadline first: "fine" was due at 12:55, the new wait in "late" at 13:02.
    assert [(n.conversation_id, n.state) for n in later] == [
        (ids["fine"], "breached"),
        (ids["late"], "breached"),
    ]
    assert later[1].clock_started_at == NOW + timedelta(minutes=2)


def test_the_webhook_event_is_delivered_signed(db, workspace, desk):
    _, ids = desk
    with running_receiver() as receiver:
        receiver.secret, _ = add_endpoint(db, workspace, receiver.url, min_priority=86)
        record(db, workspace)
        report = deliver_due(db, settings=settings())

    assert report.delivered == 1
    [sent] = receiver.requests
    assert sent.verified
    assert sent.headers["x-ecoute-event"] == BREACH_SOON
    payload = json.loads(sent.body)
    assert payload["conversation"]["id"] == ids["soon"]
    assert payload["conversation"]["url"] == f"https://ecoute.example/w/acme/c/{ids['soon']}"


def test_one_email_lists_the_new_notices_and_is_sent_once(db, workspace, desk):
    _, ids = desk
    with running_smtp() as inbox:
        report = notify_breaches(db, smtp(inbox.port), now=NOW)
        again = notify_breaches(db, smtp(inbox.port), now=NOW + timedelta(minutes=1))

    assert (report.notices, report.emails_sent, report.email_failures) == (2, 2, 0)
    assert (again.notices, again.emails_sent) == (0, 0)
    [(sender, recipients, message)] = inbox.messages
    assert (sender, recipients) == ("ecoute@localhost", ["lead@example.org"])
    assert message["Subject"] == "[Écoute] Acme : 2 conversation(s) bientôt hors délai"
    body = message.get_content()
    assert (
        f"#{ids['late']} · priorité 85 · x · réponse due 2026-10-14 13:00 (Europe/Paris) · délai dépassé"
        in body
    )
    assert f"#{ids['soon']} · priorité 90 · x · réponse due 2026-10-14 14:10 (Europe/Paris)" in body
    assert "10 min ouvrées restantes" in body
    assert f"https://ecoute.example/w/acme/c/{ids['soon']}" in body
    assert [(n.email_status, n.email_attempts) for n in rows(db, BreachNotice)] == [("sent", 1), ("sent", 1)]


def test_a_refusing_mail_server_is_retried_then_given_up(db, workspace, desk):
    with running_smtp(refuse=True) as inbox:
        runs = [notify_breaches(db, smtp(inbox.port), now=NOW + timedelta(minutes=n)) for n in range(4)]

    assert [(r.emails_sent, r.email_failures) for r in runs] == [(0, 2), (0, 2), (0, 2), (0, 0)]
    notices = rows(db, BreachNotice)
    assert [(n.email_status, n.email_attempts) for n in notices] == [("failed", 3), ("failed", 3)]
    assert "451" in notices[0].email_error
    assert inbox.messages == []


def test_without_an_smtp_server_nothing_is_mailed_but_webhooks_still_go(db, workspace, desk):
    add_endpoint(db, workspace, "https://hooks.example/a")

    report = notify_breaches(db, settings(), now=NOW)

    assert (report.notices, report.webhooks_queued, report.emails_sent) == (2, 2, 0)
    assert {n.email_status for n in rows(db, BreachNotice)} == {"none"}


def test_other_workspaces_hear_nothing_of_ours(db, workspace, other_workspace, desk):
    add_endpoint(db, other_workspace, "https://hooks.example/theirs")

    report = notify_breaches(db, settings(), now=NOW)

    assert report.notices == 2
    assert {n.workspace_id for n in rows(db, BreachNotice)} == {workspace.id}
    assert rows(db, WebhookDelivery) == []


def test_each_endpoint_gets_the_events_it_is_subscribed_to_only(db, workspace, desk):
    _, ids = desk
    _, breach_only = add_endpoint(db, workspace, "https://hooks.example/sla", events=[BREACH_SOON])
    _, urgent_only = add_endpoint(db, workspace, "https://hooks.example/urgent", events=[HIGH_PRIORITY])
    _, both = add_endpoint(db, workspace, "https://hooks.example/all", events=[HIGH_PRIORITY, BREACH_SOON])

    _, queued = record(db, workspace)

    by_endpoint = {}
    for d in rows(db, WebhookDelivery):
        by_endpoint.setdefault(d.endpoint_id, set()).add((d.event, d.payload["conversation"]["id"]))
    announced = {(BREACH_SOON, ids["late"]), (BREACH_SOON, ids["soon"])}
    assert queued == 4
    assert by_endpoint == {breach_only.id: announced, both.id: announced}
    assert urgent_only.id not in by_endpoint
