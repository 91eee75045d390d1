"""Password guessing through the login form: throttled per account and per address (held in the
database), refused before any hashing while locked, the same for unknown e-mails, audited with the
client's address (the forwarded one only from a trusted proxy), and bounded hashing slots."""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

import inbox_factories
from ecoute.auth import throttle
from ecoute.auth.models import LoginThrottle
from ecoute.auth.passwords import HashSlots
from ecoute.settings import Settings
from ecoute.store.models import AuditEvent
from ecoute.store.types import utcnow
from ecoute.web.app import create_app
from web.conftest import csrf_of


def _try(client: TestClient, email: str, password: str = "wrong password", **headers: str):
    token = csrf_of(client.get("/login").text)
    return client.post(
        "/login", data={"email": email, "password": password, "csrf_token": token}, headers=headers
    )


def _lock(db, key: str, seconds: int = 60) -> None:
    with db.session() as session:
        session.execute(
            update(LoginThrottle)
            .where(LoginThrottle.key == key)
            .values(locked_until=utcnow() + timedelta(seconds=seconds))
        )


def test_the_sixth_wrong_password_locks_the_account_and_the_next_try_gets_429(client, db, workspace):
    member = inbox_factories.user(db, workspace)
    answers = [_try(client, member.email).status_code for _ in range(6)]
    with db.session() as session:
        row = session.scalar(
            select(LoginThrottle).where(LoginThrottle.key == throttle.account_key(member.email))
        )
        locked_until, failures = row.locked_until, row.failures
    _lock(db, throttle.account_key(member.email))

    refused = _try(client, member.email, inbox_factories.PASSWORD, **{"accept-language": "en"})

    assert answers == [401] * 6
    assert failures == 6 and locked_until > utcnow() - timedelta(seconds=5)
    assert refused.status_code == 429
    assert 50 <= int(refused.headers["retry-after"]) <= 60
    assert "Too many failed attempts: try again in 1 minute." in refused.text
    assert "ecoute_session" not in refused.headers.get("set-cookie", "")


def test_an_unknown_e_mail_is_throttled_exactly_like_a_known_one(client, db, workspace):
    answers = [_try(client, "nobody@example.org").status_code for _ in range(6)]
    with db.session() as session:
        row = session.scalar(
            select(LoginThrottle).where(LoginThrottle.key == throttle.account_key("nobody@example.org"))
        )

    assert answers == [401] * 6
    assert row.failures == 6 and row.locked_until is not None


def test_a_good_login_clears_the_account_and_a_lock_does_not_spill_to_other_accounts(client, db, workspace):
    member, other = inbox_factories.user(db, workspace), inbox_factories.user(db, workspace)
    for _ in range(6):
        _try(client, other.email)
    for _ in range(3):
        _try(client, member.email)

    ok = _try(client, member.email, inbox_factories.PASSWORD)
    with db.session() as session:
        keys = set(session.scalars(select(LoginThrottle.key)))

    assert ok.status_code == 303
    assert throttle.account_key(member.email) not in keys
    assert throttle.address_key("testclient") in keys  # the address keeps its count


def test_an_address_past_its_allowance_is_refused_for_every_account(client, db, workspace):
    member = inbox_factories.user(db, workspace)
    with db.session() as session:
        for _ in range(throttle.ADDRESS.free + 1):
            throttle.record_failure(session, throttle.address_key("testclient"), throttle.ADDRESS, utcnow())
    _lock(db, throttle.address_key("testclient"))

    refused = _try(client, member.email, inbox_factories.PASSWORD)

    assert refused.status_code == 429


def test_failed_logins_are_audited_in_the_members_workspaces_with_the_address(client, db, workspace):
    member = inbox_factories.user(db, workspace)

    _try(client, member.email)
    with db.session() as session:
        events = list(session.scalars(select(AuditEvent).where(AuditEvent.action == "auth.login_failed")))

    assert len(events) == 1
    assert events[0].workspace_id == workspace.id
    assert events[0].target_id == str(member.id)
    assert events[0].actor == "address:testclient"
    assert events[0].after["address"] == "testclient"


@pytest.mark.parametrize("trusted, expected", [("", "testclient"), ("testclient", "203.0.113.9")])
def test_the_forwarded_address_counts_only_from_a_trusted_proxy(db, workspace, tmp_path, trusted, expected):
    settings = Settings({"data_dir": str(tmp_path / "d"), "secret_key": "k", "trusted_proxies": trusted})
    member = inbox_factories.user(db, workspace)
    with TestClient(create_app(db, settings), follow_redirects=False) as client:
        _try(client, member.email, **{"x-forwarded-for": "203.0.113.9"})
    with db.session() as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "auth.login_failed"))

    assert event.after["address"] == expected


def test_with_every_hashing_slot_taken_a_login_is_refused_at_once_with_429(app, client, db, workspace):
    member = inbox_factories.user(db, workspace)
    app.state.hash_slots = HashSlots(1, wait_s=0.01)
    token = csrf_of(client.get("/login").text)

    with app.state.hash_slots.slot():
        known = client.post("/login", data={"email": member.email, "password": "x" * 9, "csrf_token": token})
        unknown = client.post(
            "/login", data={"email": "no@example.org", "password": "x" * 9, "csrf_token": token}
        )
    after = client.post(
        "/login", data={"email": member.email, "password": inbox_factories.PASSWORD, "csrf_token": token}
    )

    # The unknown e-mail needs a slot too: it is checked against a dummy hash, as long as a real one.
    assert (known.status_code, unknown.status_code) == (429, 429)
    assert known.headers["retry-after"] == "1"
    assert after.status_code == 303
