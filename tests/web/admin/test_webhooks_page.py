"""The webhooks page: add (secret shown once, sealed at rest) with the events chosen, disable and
enable, audited."""

import re

from sqlalchemy import select

from db_dump import everything
from ecoute.store.models import AuditEvent
from ecoute.store.people import WebhookEndpoint
from web_helpers import post_form

SECRET = re.compile(r'<code id="new-secret">(whsec_[A-Za-z0-9_-]+)</code>')


def test_adding_a_webhook_shows_its_secret_once_and_keeps_it_sealed(login_as, db):
    admin = login_as("admin")

    added = post_form(
        admin, "/w/acme/admin/webhooks", {"url": "https://hooks.example/in", "min_priority": "75"}
    )
    secret = SECRET.search(added.text).group(1)
    listed = admin.get("/w/acme/admin/webhooks")

    assert added.status_code == 200
    assert secret not in listed.text
    assert "https://hooks.example/in" in listed.text
    assert secret not in everything(db)
    with db.session() as session:
        row = session.scalars(select(WebhookEndpoint)).one()
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "webhook.create")).one()
    # A form without the event boxes (an older page, a script) subscribes to every event.
    assert (row.min_priority, row.events, row.enabled) == (
        75,
        ["alert.raised", "conversation.breach_soon", "conversation.high_priority", "source.needs_reconnect"],
        True,
    )
    assert event.after["url"] == "https://hooks.example/in"


def test_disabling_and_enabling_are_audited(login_as, db):
    admin = login_as("admin")
    post_form(admin, "/w/acme/admin/webhooks", {"url": "https://hooks.example/in", "min_priority": "70"})
    with db.session() as session:
        endpoint_id = session.scalars(select(WebhookEndpoint.id)).one()

    off = post_form(admin, f"/w/acme/admin/webhooks/{endpoint_id}/disable")
    on = post_form(admin, f"/w/acme/admin/webhooks/{endpoint_id}/enable")

    assert (off.status_code, on.status_code) == (303, 303)
    with db.session() as session:
        actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["webhook.create", "webhook.disable", "webhook.enable"]


def test_a_bad_address_or_priority_is_a_400(login_as):
    admin = login_as("admin")

    scheme = post_form(admin, "/w/acme/admin/webhooks", {"url": "ftp://hooks.example", "min_priority": "70"})
    priority = post_form(
        admin, "/w/acme/admin/webhooks", {"url": "https://hooks.example", "min_priority": "900"}
    )

    assert scheme.status_code == 400
    assert "http:// or https://" in scheme.text
    assert priority.status_code == 400


def test_the_admin_chooses_which_events_an_endpoint_gets(login_as, db):
    admin = login_as("admin")
    form = admin.get("/w/acme/admin/webhooks", headers={"accept-language": "en"}).text
    chosen = {"url": "https://hooks.example/sla", "min_priority": "80", "events_shown": "true"}

    added = post_form(admin, "/w/acme/admin/webhooks", {**chosen, "events": "conversation.breach_soon"})
    none = post_form(admin, "/w/acme/admin/webhooks", chosen)
    unknown = post_form(admin, "/w/acme/admin/webhooks", {**chosen, "events": "conversation.resolved"})

    assert 'name="events" value="conversation.high_priority" checked' in form
    assert 'name="events" value="conversation.breach_soon" checked' in form
    assert "About to miss its first-response deadline" in form
    assert added.status_code == 200
    assert (none.status_code, unknown.status_code) == (400, 400)
    assert "Choose at least one event." in none.text
    with db.session() as session:
        assert session.scalars(select(WebhookEndpoint.events)).all() == [["conversation.breach_soon"]]
    listed = admin.get("/w/acme/admin/webhooks").text
    assert "<code>conversation.breach_soon</code>" in listed
