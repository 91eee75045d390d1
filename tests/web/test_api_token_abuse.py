"""Bad API tokens: counted per client address, refused with 429 once past the allowance (a valid
token still works), logged and, for a revoked token, audited in its workspace; a token's last use
is written at most once a minute."""

from datetime import timedelta

from sqlalchemy import select, update

from ecoute.auth import api_tokens, throttle
from ecoute.auth.models import LoginThrottle
from ecoute.store.models import AuditEvent
from ecoute.store.people import ApiToken
from ecoute.store.types import utcnow


def _token(db, workspace):
    with db.session() as session:
        token, row = api_tokens.create_token(session, workspace.id, name="tests", role="viewer")
    return token, row.id


def _get(client, token: str):
    return client.get("/api/v1/workspace", headers={"authorization": f"Bearer {token}"})


def test_an_address_sending_bad_tokens_is_refused_with_429_but_good_tokens_still_work(client, db, workspace):
    good, _ = _token(db, workspace)
    answers = [_get(client, f"ecu_guess{n}").status_code for n in range(throttle.TOKEN_ADDRESS.free + 1)]

    refused = _get(client, "ecu_another_guess")
    allowed = _get(client, good)

    assert answers == [401] * (throttle.TOKEN_ADDRESS.free + 1)
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) >= 1
    assert "too many bad API tokens from your address" in refused.json()["detail"]
    assert allowed.status_code == 200


def test_a_revoked_token_still_in_use_is_audited_with_the_address(client, db, workspace):
    token, token_id = _token(db, workspace)
    with db.session() as session:
        api_tokens.revoke_token(session, workspace.id, token_id)

    response = _get(client, token)
    with db.session() as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "api_token.rejected"))

    assert response.status_code == 401
    assert event.workspace_id == workspace.id
    assert event.target_id == str(token_id)
    assert event.after["address"] == "testclient" and event.after["revoked"] is True


def test_last_use_is_written_at_most_once_a_minute(client, db, workspace):
    token, token_id = _token(db, workspace)

    def last_used():
        with db.session() as session:
            return session.scalar(select(ApiToken.last_used_at).where(ApiToken.id == token_id))

    _get(client, token)
    first = last_used()
    _get(client, token)
    unchanged = last_used()
    with db.session() as session:
        earlier = utcnow() - timedelta(minutes=2)
        session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=earlier))
    _get(client, token)

    assert first is not None and unchanged == first
    assert last_used() > earlier + timedelta(minutes=1)


def test_requests_without_any_token_are_not_counted_as_guesses(client, db, workspace):
    answers = [client.get("/api/v1/workspace").status_code for _ in range(throttle.TOKEN_ADDRESS.free + 3)]
    with db.session() as session:
        keys = session.scalars(select(LoginThrottle.key)).all()

    assert set(answers) == {401}
    assert keys == []
