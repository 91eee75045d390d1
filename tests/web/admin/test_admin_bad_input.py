"""Bad form input on the admin pages is a clear 400 (or 404 for an id that is not ours), never a 500."""

import pytest

from web_helpers import post_form, session_client

BIG = 2**40


@pytest.fixture
def owner(app, db, workspace):
    """An owner with a real session (no password form: that is tested elsewhere, and slow)."""
    return session_client(app, db, workspace, "owner")


BAD = [
    ("/w/acme/admin/members/abc/role", {"role": "agent"}, 400),
    (f"/w/acme/admin/members/{BIG}/role", {"role": "agent"}, 400),
    ("/w/acme/admin/members/2147483647/role", {"role": "agent"}, 404),
    ("/w/acme/admin/members/1/role", {}, 400),
    ("/w/acme/admin/members/1/role", {"role": "x" * 5000}, 400),
    ("/w/acme/admin/members/-3/remove", {}, 400),
    ("/w/acme/admin/members/invite", {"email": "a@example.org"}, 400),
    ("/w/acme/admin/members/invite", {"email": "a" * 400 + "@example.org", "role": "agent"}, 400),
    ("/w/acme/admin/invitations/0/revoke", {}, 400),
    ("/w/acme/admin/invitations/2147483647/revoke", {}, 404),
    ("/w/acme/admin/tokens", {"role": "agent"}, 400),
    ("/w/acme/admin/tokens", {"name": "n" * 300, "role": "agent"}, 400),
    (f"/w/acme/admin/tokens/{BIG}/revoke", {}, 400),
    ("/w/acme/admin/tokens/2147483647/revoke", {}, 404),
    ("/w/acme/admin/webhooks", {"url": "https://x.example", "min_priority": "high"}, 400),
    ("/w/acme/admin/webhooks", {"url": "https://x.example", "min_priority": "-1"}, 400),
    ("/w/acme/admin/webhooks", {"url": "not a url", "min_priority": "70"}, 400),
    ("/w/acme/admin/webhooks", {"url": "https://" + "x" * 3000, "min_priority": "70"}, 400),
    ("/w/acme/admin/webhooks/abc/disable", {}, 400),
    ("/w/acme/admin/webhooks/2147483647/enable", {}, 404),
]


@pytest.mark.parametrize(("path", "data", "status"), BAD, ids=[f"{p} {sorted(d)}" for p, d, _ in BAD])
def test_bad_admin_form_input_is_a_clear_4xx(owner, path, data, status):
    response = post_form(owner, path, data)

    assert response.status_code == status
    assert "text/html" in response.headers["content-type"]


def test_bad_audit_page_parameters_are_400(owner):
    codes = [
        owner.get("/w/acme/admin/audit?cursor=" + "A" * 700).status_code,
        owner.get("/w/acme/admin/audit?action=" + "a" * 100).status_code,
        owner.get("/w/acme/admin/audit?cursor=%00%ff").status_code,
    ]

    assert codes == [400, 400, 400]


def test_a_form_without_its_csrf_token_is_refused(owner):
    response = owner.post("/w/acme/admin/tokens", data={"name": "CRM", "role": "agent"})

    assert response.status_code == 403
