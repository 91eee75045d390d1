"""The admin pages' authorisation matrix: every page and form × every role (owner, admin, agent,
viewer, logged out, an owner of another workspace) × our workspace, our workspace's URL with the
other workspace's ids, and the other workspace's URL.

Each case asserts the exact status, that the page holds nothing of a workspace the caller is not
in (every text there carries a marker), and that such a workspace's audit log did not move.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

import api_world
from api_world import ROLES, Side, World
from ecoute.store.models import AuditEvent
from web_helpers import post_form, session_client


@dataclass(frozen=True)
class Form:
    name: str
    method: str
    path: str  # placeholders: {slug} {member} {invitation} {token} {webhook}
    data: dict[str, str] | None
    ok: tuple[int, int, int, int]  # owner, admin, agent, viewer on their own workspace
    targeted: bool = True  # names a record by id
    shows_own: bool = False  # a successful answer lists the workspace's own records


ADMIN = (200, 200, 403, 403)
ADMIN_DONE = (303, 303, 403, 403)
FORMS = (
    Form("admin.home", "GET", "/w/{slug}/admin", None, ADMIN_DONE, False, False),
    Form("members.page", "GET", "/w/{slug}/admin/members", None, ADMIN, False, True),
    Form(
        "members.invite",
        "POST",
        "/w/{slug}/admin/members/invite",
        {"email": "new@people.example", "role": "viewer"},
        ADMIN,
        False,
        True,
    ),
    Form("members.role", "POST", "/w/{slug}/admin/members/{member}/role", {"role": "viewer"}, ADMIN_DONE),
    Form("members.remove", "POST", "/w/{slug}/admin/members/{member}/remove", None, ADMIN_DONE),
    Form("invitations.revoke", "POST", "/w/{slug}/admin/invitations/{invitation}/revoke", None, ADMIN_DONE),
    Form("tokens.page", "GET", "/w/{slug}/admin/tokens", None, ADMIN, False, True),
    Form(
        "tokens.create",
        "POST",
        "/w/{slug}/admin/tokens",
        {"name": "CRM", "role": "viewer"},
        ADMIN,
        False,
        True,
    ),
    Form("tokens.revoke", "POST", "/w/{slug}/admin/tokens/{token}/revoke", None, ADMIN_DONE),
    Form("webhooks.page", "GET", "/w/{slug}/admin/webhooks", None, ADMIN, False, True),
    Form(
        "webhooks.add",
        "POST",
        "/w/{slug}/admin/webhooks",
        {"url": "https://hooks.example/n", "min_priority": "70"},
        ADMIN,
        False,
        True,
    ),
    Form("webhooks.disable", "POST", "/w/{slug}/admin/webhooks/{webhook}/disable", None, ADMIN_DONE),
    Form("webhooks.enable", "POST", "/w/{slug}/admin/webhooks/{webhook}/enable", None, ADMIN_DONE),
    Form("audit.page", "GET", "/w/{slug}/admin/audit", None, ADMIN, False, True),
    Form("drafts.page", "GET", "/w/{slug}/admin/drafts", None, ADMIN, False, False),
    Form("drafts.save", "POST", "/w/{slug}/admin/drafts", {"sector": "hotel"}, ADMIN, False),
    Form(
        "drafts.preview",
        "POST",
        "/w/{slug}/admin/drafts/preview",
        {"text": "Cafard dans la chambre 12", "kind": "complaint", "lang": "fr"},
        ADMIN,
        False,
    ),
    Form("analysis.page", "GET", "/w/{slug}/admin/analysis", None, ADMIN, False, False),
    Form("analysis.retrain", "POST", "/w/{slug}/admin/analysis/retrain", None, ADMIN_DONE, False),
    Form("privacy.page", "GET", "/w/{slug}/admin/privacy", None, ADMIN, False, False),
    Form("privacy.retention", "POST", "/w/{slug}/admin/privacy/retention", {"months": "6"}, ADMIN, False),
)
CALLERS = (*ROLES, "anonymous", "outsider")  # outsider: an owner of the other workspace only
TARGETS = ("own", "their_ids", "their_slug")  # acme URL + acme ids, acme URL + globex ids, globex URL


def expected(form: Form, caller: str, target: str) -> int:
    """Logged out: to the login page. Not a member of the URL's workspace: 404 (before any
    permission check). A role without the permission: 403. Another workspace's id: 404."""
    if caller == "anonymous":
        return 303
    member_of_url = (target == "their_slug") == (caller == "outsider")
    if not member_of_url:
        return 404
    status = form.ok[ROLES.index("owner" if caller == "outsider" else caller)]
    if status == 403 or target != "their_ids":
        return status
    return 404


CASES = [
    pytest.param(form, caller, target, id=f"{form.name}-{caller}-{target}")
    for form in FORMS
    for caller in CALLERS
    for target in (TARGETS if form.targeted else ("own", "their_slug"))
]


def fill(path: str, slug_side: Side, id_side: Side) -> str:
    return path.format(
        slug=slug_side.workspace.slug,
        member=id_side.member.id,
        invitation=id_side.invitation_id,
        token=id_side.token_ids["viewer"],
        webhook=id_side.webhook_id,
    )


def audit_count(db, side: Side) -> int:
    with db.session() as session:
        query = (
            select(func.count()).select_from(AuditEvent).where(AuditEvent.workspace_id == side.workspace.id)
        )
        return session.scalar(query)


def client_for(app, db, world: World, caller: str) -> TestClient:
    if caller == "anonymous":
        return TestClient(app, base_url="http://testserver", follow_redirects=False)
    workspace = world.globex.workspace if caller == "outsider" else world.acme.workspace
    return session_client(app, db, workspace, "owner" if caller == "outsider" else caller)


@pytest.fixture
def world(db, workspace, other_workspace) -> World:
    return api_world.build_world(db, workspace, other_workspace)


@pytest.fixture(autouse=True)
def _queued_not_run(monkeypatch):
    """Jobs an admin form defers (retraining the heads) stay queued: the matrix is about who may
    ask, and the work itself has its own tests."""
    monkeypatch.delenv("ECOUTE_QUEUE_URL", raising=False)


@pytest.mark.parametrize(("form", "caller", "target"), CASES)
def test_admin_matrix(app, db, world: World, form: Form, caller: str, target: str):
    strangers = {"anonymous": [world.acme, world.globex], "outsider": [world.acme]}.get(
        caller, [world.globex]
    )
    members = [side for side in (world.acme, world.globex) if side not in strangers]
    slug_side = world.globex if target == "their_slug" else world.acme
    id_side = world.acme if target == "own" else world.globex
    client = client_for(app, db, world, caller)
    before = [audit_count(db, side) for side in strangers]
    path = fill(form.path, slug_side, id_side)

    response = client.get(path) if form.method == "GET" else post_form(client, path, form.data)

    assert response.status_code == expected(form, caller, target), response.text[:500]
    assert [side.marker in response.text for side in strangers] == [False] * len(strangers)
    assert [audit_count(db, side) for side in strangers] == before
    assert [side.marker in response.text for side in members] == [
        form.shows_own and response.status_code == 200
    ] * len(members)
    client.close()
