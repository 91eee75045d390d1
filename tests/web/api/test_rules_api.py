"""``/api/v1/rules``: CRUD, order, preview and hits, checked against /openapi.json, on SQLite and
PostgreSQL; another workspace's rules answer 404 and refused writes change nothing."""

from __future__ import annotations

from sqlalchemy import select

from ecoute.inbox import rule_admin
from ecoute.inbox.rule_engine import apply_rules
from ecoute.inbox.rules import load_compiled, validate_spec
from ecoute.store.models import AuditEvent

COMPLAINTS = {
    "name": "Colis perdus",
    "conditions": {"intent": ["complaint"], "keywords": "colis OR livraison"},
    "actions": [{"type": "tag", "tag": "livraison"}, {"type": "set_priority", "priority": 90}],
}


def rule_in(db, side, **spec):
    with db.session() as session:
        return rule_admin.create_rule(
            session, side.workspace.id, validate_spec({**COMPLAINTS, **spec}), actor="t"
        )


def audit_actions(db, side):
    with db.session() as session:
        query = select(AuditEvent.action).where(
            AuditEvent.workspace_id == side.workspace.id, AuditEvent.action.like("rule.%")
        )
        return list(session.scalars(query.order_by(AuditEvent.id)))


def test_an_admin_creates_edits_reorders_and_deletes_rules(api, db, world):
    admin = api.as_token(world.acme.tokens["admin"])

    first = admin.post("/api/v1/rules", json=COMPLAINTS)
    second = admin.post(
        "/api/v1/rules", json={**COMPLAINTS, "name": "Spam", "actions": [{"type": "close_spam"}]}
    )
    disabled = admin.patch(f"/api/v1/rules/{first.json()['id']}", json={"enabled": False})
    renamed = admin.patch(f"/api/v1/rules/{second.json()['id']}", json={"name": "Spam évident"})
    order = admin.request(
        "PUT", "/api/v1/rules/order", json={"ids": [second.json()["id"], first.json()["id"]]}
    )
    deleted = admin.delete(f"/api/v1/rules/{first.json()['id']}")
    listed = admin.get("/api/v1/rules").json()["items"]

    assert (first.status_code, first.json()["position"], first.json()["hits"]) == (201, 0, 0)
    assert first.json()["conditions"]["keywords"] == "colis OR livraison"
    assert (disabled.json()["enabled"], renamed.json()["name"]) == (False, "Spam évident")
    assert [r["name"] for r in order.json()["items"]] == ["Spam évident", "Colis perdus"]
    assert deleted.status_code == 204
    assert [(r["name"], r["position"]) for r in listed] == [("Spam évident", 0)]
    assert audit_actions(db, world.acme) == [
        "rule.create", "rule.create", "rule.disable", "rule.update", "rule.reorder", "rule.delete",
    ]  # fmt: skip


def test_hits_are_listed_with_the_rule(api, db, world):
    rule = rule_in(db, world.acme, conditions={"keywords": "colis"})
    with db.session() as session:
        ids = [world.acme.mention_id, world.acme.reply_mention_id]
        apply_rules(session, world.acme.workspace.id, ids, load_compiled(session, world.acme.workspace.id))
    viewer = api.as_token(world.acme.tokens["viewer"])

    shown = viewer.get(f"/api/v1/rules/{rule.id}").json()
    hits = viewer.get(f"/api/v1/rules/{rule.id}/hits").json()["items"]

    assert (shown["hits"], shown["last_hit_at"] is not None) == (1, True)
    assert [(h["mention_id"], h["conversation_id"]) for h in hits] == [
        (world.acme.mention_id, world.acme.conversation_id)
    ]


def test_preview_counts_matches_among_the_latest_mentions_and_saves_nothing(api, db, world):
    admin = api.as_token(world.acme.tokens["admin"])

    found = admin.post("/api/v1/rules/preview", json={**COMPLAINTS, "conditions": {"keywords": "toujours"}})

    assert (found.json()["matched"], found.json()["sampled"]) == (1, 2)
    assert found.json()["examples"][0]["mention_id"] == world.acme.reply_mention_id
    assert admin.get("/api/v1/rules").json()["items"] == []


def test_bad_rules_are_a_422_naming_the_field(api, world):
    admin = api.as_token(world.acme.tokens["admin"])

    bad_query = admin.post("/api/v1/rules", json={**COMPLAINTS, "conditions": {"keywords": "colis OR"}})
    no_condition = admin.post("/api/v1/rules", json={**COMPLAINTS, "conditions": {}})
    bad_action = admin.post("/api/v1/rules", json={**COMPLAINTS, "actions": [{"type": "delete"}]})
    wrong_type = admin.post("/api/v1/rules", json={**COMPLAINTS, "conditions": {"min_followers": "10"}})
    foreign_user = admin.post(
        "/api/v1/rules",
        json={**COMPLAINTS, "actions": [{"type": "assign", "user_id": world.globex.member.id}]},
    )
    bad_order = admin.request("PUT", "/api/v1/rules/order", json={"ids": [1, 1]})

    for response in (bad_query, no_condition, bad_action, wrong_type, foreign_user, bad_order):
        assert response.status_code == 422, response.text
    assert "keywords" in str(bad_query.json()["detail"])
    assert "member" in foreign_user.json()["detail"]
    assert admin.get("/api/v1/rules").json()["items"] == []


def test_roles_and_workspaces_are_kept_apart(api, db, world):
    theirs = rule_in(db, world.globex, name=f"Règle {world.globex.marker}")
    ours = rule_in(db, world.acme)
    agent = api.as_token(world.acme.tokens["agent"])
    admin = api.as_token(world.acme.tokens["admin"])

    assert agent.get("/api/v1/rules").status_code == 200
    assert agent.post("/api/v1/rules", json=COMPLAINTS).status_code == 403
    assert agent.patch(f"/api/v1/rules/{ours.id}", json={"enabled": False}).status_code == 403
    assert agent.post("/api/v1/rules/preview", json=COMPLAINTS).status_code == 403
    for call in (
        admin.get(f"/api/v1/rules/{theirs.id}"),
        admin.get(f"/api/v1/rules/{theirs.id}/hits"),
        admin.patch(f"/api/v1/rules/{theirs.id}", json={"enabled": False}),
        admin.delete(f"/api/v1/rules/{theirs.id}"),
    ):
        assert call.status_code == 404
        assert world.globex.marker not in call.text
    assert world.globex.marker not in admin.get("/api/v1/rules").text
    assert admin.request("PUT", "/api/v1/rules/order", json={"ids": [theirs.id]}).status_code == 422
    assert audit_actions(db, world.globex) == ["rule.create"]
