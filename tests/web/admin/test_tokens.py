"""The API tokens page: a token is shown once, stored only as a digest, and revoking it is final."""

import re

from sqlalchemy import select

from db_dump import everything
from ecoute.store.models import AuditEvent
from web_helpers import post_form

TOKEN = re.compile(r'<code id="new-token">(ecu_[A-Za-z0-9_-]+)</code>')


def test_a_created_token_is_shown_once_and_works_on_the_api(login_as, db):
    admin = login_as("admin")

    created = post_form(admin, "/w/acme/admin/tokens", {"name": "CRM sync", "role": "viewer"})
    token = TOKEN.search(created.text).group(1)
    listed = admin.get("/w/acme/admin/tokens")
    me = admin.get("/api/v1/workspace", headers={"authorization": f"Bearer {token}"})

    assert created.status_code == 200
    assert token not in listed.text
    assert token[:12] in listed.text  # the prefix, to recognise it
    assert me.json()["role"] == "viewer"


def test_the_database_never_holds_the_token(login_as, db):
    admin = login_as("admin")

    token = TOKEN.search(
        post_form(admin, "/w/acme/admin/tokens", {"name": "CRM", "role": "agent"}).text
    ).group(1)
    admin.get("/api/v1/workspace", headers={"authorization": f"Bearer {token}"})

    stored = everything(db)
    assert token not in stored
    assert token[4:] not in stored
    assert token[:12] in stored


def test_a_revoked_token_gets_401_and_both_steps_are_audited(login_as, db):
    admin = login_as("admin")
    token = TOKEN.search(
        post_form(admin, "/w/acme/admin/tokens", {"name": "CRM", "role": "agent"}).text
    ).group(1)
    token_id = re.search(r"/admin/tokens/(\d+)/revoke", admin.get("/w/acme/admin/tokens").text).group(1)

    revoked = post_form(admin, f"/w/acme/admin/tokens/{token_id}/revoke")
    after = admin.get("/api/v1/mentions", headers={"authorization": f"Bearer {token}"})

    assert revoked.status_code == 303
    assert after.status_code == 401
    with db.session() as session:
        actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
        created = session.scalars(select(AuditEvent).where(AuditEvent.action == "api_token.create")).one()
    # The revoked token still in use is audited too (someone kept it after it was revoked).
    assert actions == ["api_token.create", "api_token.revoke", "api_token.rejected"]
    assert created.after == {"name": "CRM", "role": "agent", "prefix": token[:12]}


def test_nobody_makes_a_token_stronger_than_themselves(login_as):
    admin = login_as("admin")

    response = post_form(admin, "/w/acme/admin/tokens", {"name": "root", "role": "owner"})

    assert response.status_code == 403


def test_a_token_needs_a_name_and_a_known_role(login_as):
    admin = login_as("admin")

    nameless = post_form(admin, "/w/acme/admin/tokens", {"name": "  ", "role": "agent"})
    roleless = post_form(admin, "/w/acme/admin/tokens", {"name": "CRM", "role": "emperor"})

    assert nameless.status_code == 400
    assert roleless.status_code == 400
