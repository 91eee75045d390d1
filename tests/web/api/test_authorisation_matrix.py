"""The API's authorisation matrix: every endpoint × every role (owner, admin, agent, viewer, no
token, a token of another workspace) × ids of our own workspace and of the other one.

Each case asserts the exact status, that the body holds nothing of the workspace the caller does
not belong to (every text there carries a marker), and that the other workspace's audit log did
not move (a refused write leaves no trace). Every response is also checked against /openapi.json.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select

from api_world import ROLES, Side, World, add_rule_and_held_reply
from ecoute.incidents import records
from ecoute.store.models import AuditEvent


@dataclass(frozen=True)
class Call:
    name: str
    method: str
    path: str  # placeholders: {conversation} {mention} {tag} {rule} {reply}, the target side's ids
    body: dict[str, Any] | None
    ok: tuple[int, int, int, int]  # status for owner, admin, agent, viewer acting on their own data
    targeted: bool = True  # names a record: another workspace's id must answer 404
    shows_own: bool = True  # a successful answer shows the caller's own data (its marker)
    foreign: int = 404  # the answer when the record named belongs to another workspace
    headers: dict[str, str] | None = None


CALLS = (
    Call("workspace", "GET", "/api/v1/workspace", None, (200,) * 4, targeted=False, shows_own=False),
    Call("mentions.list", "GET", "/api/v1/mentions?include_hidden=true", None, (200,) * 4, targeted=False),
    Call("mentions.get", "GET", "/api/v1/mentions/{mention}", None, (200,) * 4),
    Call("mentions.hide", "POST", "/api/v1/mentions/{mention}/hide", None, (200, 200, 403, 403)),
    Call("mentions.unhide", "POST", "/api/v1/mentions/{mention}/unhide", None, (200, 200, 403, 403)),
    Call("conversations.list", "GET", "/api/v1/conversations", None, (200,) * 4, targeted=False),
    Call("conversations.get", "GET", "/api/v1/conversations/{conversation}", None, (200,) * 4),
    Call(
        "conversations.status",
        "PATCH",
        "/api/v1/conversations/{conversation}",
        {"status": "open"},
        (200, 200, 200, 403),
    ),
    Call(
        "conversations.assign",
        "PATCH",
        "/api/v1/conversations/{conversation}",
        {"assignee_id": None},
        (200, 200, 200, 403),
    ),
    Call(
        "conversations.tags",
        "PATCH",
        "/api/v1/conversations/{conversation}",
        {"tags": []},
        (200, 200, 200, 403),
    ),
    Call(
        "conversations.needs_reply",
        "PATCH",
        "/api/v1/conversations/{conversation}",
        {"needs_reply": False},
        (200, 200, 200, 403),
    ),
    Call("notes.list", "GET", "/api/v1/conversations/{conversation}/notes", None, (200,) * 4),
    Call(
        "notes.add",
        "POST",
        "/api/v1/conversations/{conversation}/notes",
        {"text": "vu"},
        (201, 201, 201, 403),
        shows_own=False,
    ),
    Call("tags.list", "GET", "/api/v1/tags", None, (200,) * 4, targeted=False),
    Call(
        "tags.create",
        "POST",
        "/api/v1/tags",
        {"name": "nouveau"},
        (201, 201, 403, 403),
        targeted=False,
        shows_own=False,
    ),
    Call("tags.delete", "DELETE", "/api/v1/tags/{tag}", None, (204, 204, 403, 403), shows_own=False),
    Call("corrections.list", "GET", "/api/v1/corrections", None, (200,) * 4, targeted=False),
    Call(
        "corrections.create",
        "POST",
        "/api/v1/corrections",
        {"mention_id": "{mention}", "field": "sentiment", "value": "neutral"},
        (201, 201, 201, 403),
        shows_own=False,
    ),
    Call("members.list", "GET", "/api/v1/members", None, (200,) * 4, targeted=False),
    Call("rules.list", "GET", "/api/v1/rules", None, (200,) * 4, targeted=False),
    Call("rules.get", "GET", "/api/v1/rules/{rule}", None, (200,) * 4),
    Call("rules.hits", "GET", "/api/v1/rules/{rule}/hits", None, (200,) * 4, shows_own=False),
    Call(
        "rules.create",
        "POST",
        "/api/v1/rules",
        {"name": "Spam", "conditions": {"keywords": "promo"}, "actions": [{"type": "close_spam"}]},
        (201, 201, 403, 403),
        targeted=False,
        shows_own=False,
    ),
    Call(
        "rules.preview",
        "POST",
        "/api/v1/rules/preview",
        {"name": "Colis", "conditions": {"keywords": "colis"}, "actions": [{"type": "close_spam"}]},
        (200, 200, 403, 403),
        targeted=False,
    ),
    Call("rules.update", "PATCH", "/api/v1/rules/{rule}", {"enabled": False}, (200, 200, 403, 403)),
    # Another workspace's rule is not one of ours: the new order is refused as incomplete.
    Call("rules.order", "PUT", "/api/v1/rules/order", {"ids": ["{rule}"]}, (200, 200, 403, 403), foreign=422),
    Call("rules.delete", "DELETE", "/api/v1/rules/{rule}", None, (204, 204, 403, 403), shows_own=False),
    Call("drafts", "GET", "/api/v1/conversations/{conversation}/drafts", None, (200,) * 4, shows_own=False),
    Call(
        "replies.check",
        "POST",
        "/api/v1/conversations/{conversation}/replies/check",
        {"text": "Merci, nous regardons."},
        (200,) * 4,
        shows_own=False,
    ),
    Call(
        "replies.send",
        "POST",
        "/api/v1/conversations/{conversation}/replies",
        {"text": "Merci, nous regardons tout de suite et revenons vers vous.", "confirm_collision": True},
        (201, 201, 201, 403),
        shows_own=False,
        headers={"Idempotency-Key": "matrix-reply"},
    ),
    Call("replies.pending", "GET", "/api/v1/replies/pending", None, (200, 200, 403, 403), targeted=False),
    Call("replies.approve", "POST", "/api/v1/replies/{reply}/approve", None, (200, 200, 403, 403)),
    Call(
        "replies.reject",
        "POST",
        "/api/v1/replies/{reply}/reject",
        {"note": "Trop court"},
        (200, 200, 403, 403),
    ),
    Call("metrics", "GET", "/api/v1/metrics?by=agent", None, (200,) * 4, targeted=False, shows_own=False),
    Call("metrics.csv", "GET", "/api/v1/metrics.csv", None, (200,) * 4, targeted=False, shows_own=False),
    Call("exports.mentions", "GET", "/api/v1/exports/mentions.csv", None, (200,) * 4, targeted=False),
    Call(
        "exports.conversations",
        "GET",
        "/api/v1/exports/conversations.xlsx",
        None,
        (200,) * 4,
        targeted=False,
        shows_own=False,
    ),
    Call("deadlines", "GET", "/api/v1/deadlines", None, (200,) * 4, targeted=False, shows_own=False),
    Call("keep_time.get", "GET", "/api/v1/keep-time", None, (200,) * 4, targeted=False, shows_own=False),
    Call("drafts.get", "GET", "/api/v1/drafts/settings", None, (200,) * 4, targeted=False, shows_own=False),
    Call(
        "drafts.settings.set",
        "PUT",
        "/api/v1/drafts/settings",
        {"sector": "restaurant", "words": {"fr": {"reference": "nom de réservation"}}},
        (200, 200, 403, 403),
        targeted=False,
        shows_own=False,
    ),
    Call(
        "drafts.preview",
        "POST",
        "/api/v1/drafts/preview",
        {"text": "Pizza froide et 1h d'attente", "kind": "complaint"},
        (200,) * 4,
        targeted=False,
        shows_own=False,
    ),
    Call("incidents.list", "GET", "/api/v1/incidents", None, (200,) * 4, targeted=False),
    Call("incidents.get", "GET", "/api/v1/incidents/{incident}", None, (200,) * 4),
    Call("incidents.drafts", "GET", "/api/v1/incidents/{incident}/drafts", None, (200,) * 4, shows_own=False),
    Call(
        "incidents.status",
        "POST",
        "/api/v1/incidents/{incident}/status",
        {"status": "identified"},
        (200, 200, 200, 403),
    ),
    Call(
        "incidents.send",
        "POST",
        "/api/v1/incidents/{incident}/updates/send",
        None,
        (200, 200, 200, 403),
        shows_own=False,
    ),
    Call(
        "alerts.settings.get",
        "GET",
        "/api/v1/alerts/settings",
        None,
        (200,) * 4,
        targeted=False,
        shows_own=False,
    ),
    Call(
        "alerts.settings.set",
        "PUT",
        "/api/v1/alerts/settings",
        {"sensitivity": "quiet", "cooldown_minutes": 180},
        (200, 200, 403, 403),
        targeted=False,
        shows_own=False,
    ),
    Call(
        "keep_time.set",
        "PUT",
        "/api/v1/keep-time",
        {"response_targets": {}},
        (200, 403, 403, 403),
        targeted=False,
        shows_own=False,
    ),
)
CALLERS = (*ROLES, "anonymous", "outsider")  # outsider: an owner token of the other workspace


def expected(call: Call, caller: str, target: str) -> int:
    """The isolation rules: no token 401; a role without the permission 403 (checked first);
    a record of a workspace the token does not belong to 404; otherwise the call's own status."""
    if caller == "anonymous":
        return 401
    role = "owner" if caller == "outsider" else caller
    status = call.ok[ROLES.index(role)]
    home = "other" if caller == "outsider" else "own"
    if status == 403 or not call.targeted or target == home:
        return status
    return call.foreign


CASES = [
    pytest.param(call, caller, target, id=f"{call.name}-{caller}-{target}")
    for call in CALLS
    for caller in CALLERS
    for target in (("own", "other") if call.targeted else ("any",))
]


def fill(template: Any, side: Side) -> Any:
    ids = {
        "conversation": side.conversation_id,
        "mention": side.mention_id,
        "tag": side.spare_tag_id,
        "rule": side.rule_id,
        "reply": side.pending_reply_id,
        "incident": side.incident_id,
    }
    if isinstance(template, dict):
        return {key: fill(value, side) for key, value in template.items()}
    if isinstance(template, list):
        return [fill(value, side) for value in template]
    if template in ("{mention}", "{rule}"):
        return ids[template[1:-1]]
    return template.format(**ids) if isinstance(template, str) else template


def audit_count(db, side: Side) -> int:
    with db.session() as session:
        query = (
            select(func.count()).select_from(AuditEvent).where(AuditEvent.workspace_id == side.workspace.id)
        )
        return session.scalar(query)


@pytest.fixture
def full_world(db, world: World) -> World:
    for side in (world.acme, world.globex):
        add_rule_and_held_reply(db, side)
        with db.session() as session:
            facts = records.IncidentFacts(title=f"Panne {side.marker}")
            side.incident_id = records.open_incident(
                session, side.workspace.id, facts, user_id=None, actor="t"
            ).id
    return world


@pytest.mark.parametrize(("call", "caller", "target"), CASES)
def test_authorisation_matrix(api, db, full_world: World, call: Call, caller: str, target: str):
    world = full_world
    mine, theirs = (world.globex, world.acme) if caller == "outsider" else (world.acme, world.globex)
    token = {"anonymous": None, "outsider": world.globex.tokens["owner"]}.get(
        caller
    ) or world.acme.tokens.get(caller)
    side = world.globex if target == "other" else world.acme
    body = fill(call.body, side) if call.body is not None else None
    untouched_before = audit_count(db, theirs)

    response = api.as_token(token).request(
        call.method, fill(call.path, side), json=body, headers=call.headers
    )

    assert response.status_code == expected(call, caller, target), response.text
    assert theirs.marker not in response.text
    assert audit_count(db, theirs) == untouched_before
    assert (mine.marker in response.text) == (call.shows_own and response.is_success)
