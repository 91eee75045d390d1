"""Outgoing webhooks go to public addresses only: private, loopback and link-local hosts are refused
when the endpoint is added and again at delivery, on the address actually connected to; the operator
allows exceptions explicitly with ECOUTE_WEBHOOK_ALLOW_PRIVATE."""

from __future__ import annotations

import ipaddress

import pytest
from sqlalchemy import select

from ecoute.settings import Settings
from ecoute.store.people import WebhookDelivery, WebhookEndpoint
from ecoute.store.repo import Invalid
from ecoute.store.types import utcnow
from ecoute.webhooks import addresses, endpoints
from ecoute.webhooks.delivery import deliver_due
from ecoute.webhooks.sealing import seal
from webhook_receivers import running_receiver

SECRET_KEY = "test-secret-key"


def _settings(allow: str = "") -> Settings:
    return Settings({"secret_key": SECRET_KEY, "http_timeout": "5", "webhook_allow_private": allow})


def _create(db, workspace, url: str, allow: str = ""):
    with db.session() as session:
        return endpoints.create_endpoint(
            session,
            workspace.id,
            url=url,
            secret_key=SECRET_KEY,
            actor="test",
            allowed=addresses.allowed_networks(_settings(allow)),
        )


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://localhost/hook",
        "http://169.254.169.254/latest/meta-data/",  # the cloud's metadata service
        "http://10.1.2.3/hook",
        "https://192.168.1.20/hook",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://0.0.0.0/hook",
    ],
)
def test_adding_an_endpoint_on_a_private_address_is_refused_with_a_clear_error(db, workspace, url):
    with pytest.raises(Invalid, match="webhooks go to public addresses only.*ECOUTE_WEBHOOK_ALLOW_PRIVATE"):
        _create(db, workspace, url)


def test_the_operator_may_allow_a_private_network(db, workspace):
    _, row = _create(db, workspace, "http://10.1.2.3/hook", allow="10.0.0.0/8, 127.0.0.1")

    assert row.url == "http://10.1.2.3/hook"
    with pytest.raises(Invalid):
        _create(db, workspace, "http://192.168.1.20/hook", allow="10.0.0.0/8")


def test_a_bad_exception_is_an_error_naming_it():
    with pytest.raises(ValueError, match="ECOUTE_WEBHOOK_ALLOW_PRIVATE: 'ten' is not an address"):
        addresses.allowed_networks(_settings("10.0.0.0/8,ten"))


def test_public_addresses_and_names_that_do_not_resolve_yet_are_accepted(db, workspace):
    _, public = _create(db, workspace, "https://93.184.215.14/hook")
    _, later = _create(db, workspace, "https://hooks.example/in")

    assert (public.url, later.url) == ("https://93.184.215.14/hook", "https://hooks.example/in")


def _stored_endpoint(db, workspace, url: str) -> None:
    """An endpoint stored as if its name had resolved to a public address when it was added (DNS
    can change after): delivery must check again where it actually connects."""
    with db.session() as session:
        endpoint = WebhookEndpoint(
            workspace_id=workspace.id,
            url=url,
            secret=seal(SECRET_KEY, "whsec_test"),
            events=["conversation.high_priority"],
            min_priority=0,
        )
        session.add(endpoint)
        session.flush()
        session.add(
            WebhookDelivery(
                workspace_id=workspace.id,
                endpoint_id=endpoint.id,
                event="conversation.high_priority",
                event_id="conversation.high_priority:1",
                payload={"id": "x"},
                status="pending",
                next_attempt_at=utcnow(),
            )
        )


def _delivery(db) -> WebhookDelivery:
    with db.session() as session:
        return session.scalar(select(WebhookDelivery))


def test_delivery_to_a_name_that_now_resolves_to_loopback_is_refused_and_not_retried(db, workspace):
    with running_receiver() as receiver:
        port = receiver.url.split(":")[2].split("/")[0]
        _stored_endpoint(db, workspace, f"http://localhost:{port}/hooks/ecoute")

        report = deliver_due(db, settings=_settings())

    delivery = _delivery(db)
    assert receiver.requests == []
    assert (report.failed, delivery.status) == (1, "failed")
    assert "127.0.0.1 is a loopback, private, link-local or reserved address" in delivery.last_error


def test_delivery_through_a_name_connects_to_the_checked_address_when_allowed(db, workspace):
    with running_receiver() as receiver:
        receiver.secret = "whsec_test"
        port = receiver.url.split(":")[2].split("/")[0]
        _stored_endpoint(db, workspace, f"http://localhost:{port}/hooks/ecoute")

        report = deliver_due(db, settings=_settings("127.0.0.1"))

    assert report.delivered == 1
    assert receiver.requests[0].verified
    assert receiver.requests[0].headers["host"] == f"localhost:{port}"


def test_the_backend_refuses_a_peer_outside_the_allowed_networks():
    backend = addresses.GuardedBackend([ipaddress.ip_network("10.0.0.0/8")])

    with pytest.raises(addresses.AddressRefused, match="127.0.0.1"):
        backend.connect_tcp("127.0.0.1", 9, timeout=1)
