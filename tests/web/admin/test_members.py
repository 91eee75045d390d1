"""The members page: invitations shown once, role changes within ``may_grant``, removal, audit."""

import re

from sqlalchemy import select

import inbox_factories
from db_dump import everything
from ecoute.auth import users
from ecoute.auth.passwords import HashSlots
from ecoute.store.models import AuditEvent
from web.conftest import log_in
from web_helpers import post_form

LINK = re.compile(r'<code id="invite-link">http://127\.0\.0\.1:8000/invite/([A-Za-z0-9_-]+)</code>')


def audit(db, action):
    with db.session() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_the_page_lists_members_with_their_roles(login_as, db, workspace):
    admin = login_as("admin")
    inbox_factories.user(db, workspace, "viewer", email="vera@example.org")

    page = admin.get("/w/acme/admin/members")

    assert page.status_code == 200
    assert "vera@example.org" in page.text
    assert "Membres" in page.text or "Members" in page.text


def test_an_invitation_link_is_shown_once_and_stored_only_as_a_digest(login_as, db):
    owner = login_as("owner")

    created = post_form(owner, "/w/acme/admin/members/invite", {"email": "Nina@Example.org", "role": "agent"})
    again = owner.get("/w/acme/admin/members")

    token = LINK.search(created.text).group(1)
    assert created.status_code == 200
    assert token not in again.text
    assert "nina@example.org" in again.text
    assert token not in everything(db)
    [event] = audit(db, "member.invite")
    assert event.after == {"email": "nina@example.org", "role": "agent"}


def test_a_new_person_signs_up_through_the_link_and_joins_with_the_role(login_as, app, db, workspace, client):
    owner = login_as("owner")
    token = LINK.search(
        post_form(owner, "/w/acme/admin/members/invite", {"email": "nina@example.org", "role": "viewer"}).text
    ).group(1)

    page = client.get(f"/invite/{token}")
    joined = post_form(
        client, f"/invite/{token}/signup", {"name": "Nina", "password": "long enough password"}
    )
    switcher = client.get("/w")
    reused = client.get(f"/invite/{token}")

    assert page.status_code == 200
    assert joined.status_code == 303
    assert "/w/acme/" in switcher.text
    assert reused.status_code == 404
    with db.session() as session:
        nina = users.get_user_by_email(session, "nina@example.org")
        assert users.get_role(session, workspace.id, nina.id) == "viewer"
    [event] = audit(db, "invitation.accept")
    assert event.after == {"email": "nina@example.org", "role": "viewer"}


def test_someone_with_an_account_joins_after_logging_in(
    login_as, app, db, workspace, other_workspace, client
):
    owner = login_as("owner")
    them = inbox_factories.user(db, other_workspace, "agent")
    token = LINK.search(
        post_form(owner, "/w/acme/admin/members/invite", {"email": them.email, "role": "agent"}).text
    ).group(1)
    log_in(client, them.email)

    joined = post_form(client, f"/invite/{token}")

    assert joined.status_code == 303
    assert joined.headers["location"] == "/w/acme/"
    with db.session() as session:
        assert users.get_role(session, workspace.id, them.id) == "agent"


def test_an_admin_promotes_an_agent_and_the_change_is_audited(login_as, db, workspace):
    admin = login_as("admin")
    agent = inbox_factories.user(db, workspace, "agent")

    response = post_form(admin, f"/w/acme/admin/members/{agent.id}/role", {"role": "admin"})

    assert response.status_code == 303
    [event] = audit(db, "member.role_change")
    assert event.before == {"email": agent.email, "role": "agent"}
    assert event.after == {"email": agent.email, "role": "admin"}
    assert event.actor.startswith("user:")


def test_an_admin_may_neither_make_nor_touch_an_owner(login_as, db, workspace):
    admin = login_as("admin")
    agent = inbox_factories.user(db, workspace, "agent")
    owner = inbox_factories.user(db, workspace, "owner")

    promote = post_form(admin, f"/w/acme/admin/members/{agent.id}/role", {"role": "owner"})
    demote = post_form(admin, f"/w/acme/admin/members/{owner.id}/role", {"role": "viewer"})
    remove = post_form(admin, f"/w/acme/admin/members/{owner.id}/remove")
    invite = post_form(admin, "/w/acme/admin/members/invite", {"email": "x@example.org", "role": "owner"})

    assert [promote.status_code, demote.status_code, remove.status_code, invite.status_code] == [403] * 4
    assert audit(db, "member.role_change") == []
    with db.session() as session:
        assert users.get_role(session, workspace.id, owner.id) == "owner"


def test_the_last_owner_stays_owner(owner, db, workspace):
    with db.session() as session:
        [(me, _)] = users.list_members(session, workspace.id)

    demote = post_form(owner, f"/w/acme/admin/members/{me.id}/role", {"role": "admin"})
    leave = post_form(owner, f"/w/acme/admin/members/{me.id}/remove")

    assert demote.status_code == 400
    assert leave.status_code == 400
    assert "needs an owner" in demote.text


def test_a_removed_member_loses_the_workspace_at_once(login_as, db, workspace):
    owner = login_as("owner")
    agent_client = login_as("agent")
    with db.session() as session:
        agent = next(u for u, role in users.list_members(session, workspace.id) if role == "agent")

    removed = post_form(owner, f"/w/acme/admin/members/{agent.id}/remove")

    assert removed.status_code == 303
    assert agent_client.get("/w/acme/admin/members").status_code == 404
    [event] = audit(db, "member.remove")
    assert event.before == {"email": agent.email, "role": "agent"}


def test_an_unknown_role_or_a_bad_email_is_a_400_with_the_reason(owner):
    role = post_form(owner, "/w/acme/admin/members/invite", {"email": "a@example.org", "role": "king"})
    email = post_form(owner, "/w/acme/admin/members/invite", {"email": "not-an-email", "role": "agent"})

    assert role.status_code == 400
    assert email.status_code == 400
    assert "is not an e-mail address" in email.text


def test_signing_up_while_every_hashing_slot_is_taken_is_refused_for_a_moment(
    login_as, app, db, workspace, client
):
    owner = login_as("owner")
    token = LINK.search(
        post_form(owner, "/w/acme/admin/members/invite", {"email": "ines@example.org", "role": "viewer"}).text
    ).group(1)
    client.get(f"/invite/{token}")
    app.state.hash_slots = HashSlots(1, wait_s=0.01)

    form = {"name": "Inès", "password": "long enough password"}

    with app.state.hash_slots.slot():
        busy = post_form(client, f"/invite/{token}/signup", form)
    joined = post_form(client, f"/invite/{token}/signup", form)

    assert busy.status_code == 429 and busy.headers["retry-after"] == "1"
    assert joined.status_code == 303
