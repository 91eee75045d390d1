"""Secrets shown once (API tokens, session cookies, invitation links) are stored only as digests."""

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select, update

import inbox_factories
from ecoute.auth import api_tokens, invitations, sessions, users
from ecoute.store.people import ApiToken, Invitation, WebSession
from ecoute.store.repo import NotFound


def _all_stored_values(row) -> list[str]:
    return [str(getattr(row, column.key)) for column in row.__table__.columns]


def test_api_tokens_are_stored_as_sha256_digests_and_authenticate_to_their_workspace(db, workspace):
    with db.session() as session:
        token, row = api_tokens.create_token(session, workspace.id, name="zapier", role="viewer")
    with db.session() as session:
        stored = session.scalar(select(ApiToken))
        found = api_tokens.authenticate_token(session, token)

    assert token.startswith("ecu_") and len(token) > 40
    assert token not in _all_stored_values(stored)
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert stored.prefix == token[:12]
    assert (found.workspace_id, found.role, found.id) == (workspace.id, "viewer", row.id)
    assert found.last_used_at is not None


def test_revoked_and_unknown_tokens_do_not_authenticate(db, workspace):
    with db.session() as session:
        token, row = api_tokens.create_token(session, workspace.id, name="ci")
    with db.session() as session:
        api_tokens.revoke_token(session, workspace.id, row.id)
    with db.session() as session:
        assert api_tokens.authenticate_token(session, token) is None
        assert api_tokens.authenticate_token(session, token[:-1] + "x") is None
        assert api_tokens.authenticate_token(session, "Bearer nonsense") is None


def test_a_token_cannot_be_revoked_from_another_workspace(db, workspace, other_workspace):
    with db.session() as session:
        _, row = api_tokens.create_token(session, workspace.id, name="ci")
    with db.session() as session, pytest.raises(NotFound):
        api_tokens.revoke_token(session, other_workspace.id, row.id)


def test_sessions_keep_only_a_digest_and_stop_working_when_revoked(db, workspace):
    member = inbox_factories.user(db, workspace)
    with db.session() as session:
        token, _ = sessions.create_session(session, member)
    with db.session() as session:
        stored = session.scalar(select(WebSession))
        live = sessions.load_session(session, token)
        sessions.revoke_session(session, token)
    with db.session() as session:
        after = sessions.load_session(session, token)

    assert token not in _all_stored_values(stored)
    assert live[1].id == member.id
    assert after is None


def test_expired_sessions_do_not_load(db, workspace):
    member = inbox_factories.user(db, workspace)
    with db.session() as session:
        token, row = sessions.create_session(session, member)
        session.execute(
            update(WebSession).where(WebSession.id == row.id).values(expires_at=row.created_at - timedelta(1))
        )
    with db.session() as session:
        assert sessions.load_session(session, token) is None


def test_an_invitation_makes_a_member_once(db, workspace):
    newcomer = inbox_factories.user(db, None)
    with db.session() as session:
        token, _ = invitations.create_invitation(
            session, workspace.id, "Newcomer@Example.org", "agent", invited_by_id=None
        )
    with db.session() as session:
        invitations.accept_invitation(session, token, newcomer)
    with db.session() as session:
        role = users.get_role(session, workspace.id, newcomer.id)
        stored = session.scalar(select(Invitation))
        with pytest.raises(NotFound):
            invitations.accept_invitation(session, token, newcomer)

    assert role == "agent"
    assert stored.email == "newcomer@example.org"
    assert token not in _all_stored_values(stored)


def test_login_with_a_wrong_password_or_unknown_email_fails_the_same_way(db, workspace):
    member = inbox_factories.user(db, workspace)
    with db.session() as session:
        good = users.authenticate(session, member.email.upper(), inbox_factories.PASSWORD)
        wrong = users.authenticate(session, member.email, "not the password")
        unknown = users.authenticate(session, "nobody@example.org", inbox_factories.PASSWORD)

    assert good.id == member.id
    assert (wrong, unknown) == (None, None)
