"""The rules page in-process, on SQLite and PostgreSQL: admins create (with a preview), reorder,
disable and delete rules, every change audited; agents only read; bad input is a 400 that keeps
what was typed; another workspace's rule is a 404."""

from __future__ import annotations

from sqlalchemy import select

import inbox_factories
from ecoute.inbox import rule_admin
from ecoute.inbox.rules import validate_spec
from ecoute.store.models import AuditEvent
from ecoute.store.people import Rule
from web_helpers import csrf_for, session_client

RULE = {"name": "Colis", "keywords": "colis", "intent": "complaint", "tags": "livraison", "priority": "80"}


def add(db, workspace, name, keywords="colis"):
    spec = validate_spec(
        {"name": name, "conditions": {"keywords": keywords}, "actions": [{"type": "close_spam"}]}
    )
    with db.session() as session:
        return rule_admin.create_rule(session, workspace.id, spec, actor="test")


def rules_of(db, workspace):
    with db.session() as session:
        query = select(Rule).where(Rule.workspace_id == workspace.id).order_by(Rule.position)
        return list(session.scalars(query))


def test_an_admin_creates_a_rule_from_the_form(db, workspace, app):
    admin = session_client(app, db, workspace, "admin")
    token = csrf_for(admin, "/w/acme/admin/rules/new")

    response = admin.post("/w/acme/admin/rules/new", data={**RULE, "enabled": "on", "csrf_token": token})
    page = admin.get("/w/acme/admin/rules", headers={"accept-language": "fr"}).text

    (rule,) = rules_of(db, workspace)
    assert response.status_code == 303
    assert (rule.name, rule.enabled, rule.conditions["intent"], rule.conditions["keywords"]) == (
        "Colis", True, ["complaint"], "colis",
    )  # fmt: skip
    assert rule.actions == [{"type": "tag", "tag": "livraison"}, {"type": "set_priority", "priority": 80}]
    assert "Colis" in page and "Jamais déclenchée" in page and "étiqueter « livraison »" in page
    with db.session() as session:
        assert session.scalar(select(AuditEvent.action).where(AuditEvent.workspace_id == workspace.id)) == (
            "rule.create"
        )


def test_the_preview_says_how_many_recent_mentions_would_match_and_saves_nothing(db, workspace, app):
    inbox_factories.conversation(db, workspace, text="Mon colis est perdu")
    inbox_factories.conversation(db, workspace, text="Merci pour le vélo")
    admin = session_client(app, db, workspace, "admin")
    token = csrf_for(admin, "/w/acme/admin/rules/new")

    page = admin.post(
        "/w/acme/admin/rules/new",
        data={**RULE, "intent": [], "do": "preview", "csrf_token": token},
        headers={"accept-language": "en"},
    )

    assert page.status_code == 200
    assert "Would have matched 1 of the last 2 mentions." in page.text
    assert "Mon colis est perdu" in page.text
    assert rules_of(db, workspace) == []


def test_a_bad_rule_is_a_400_that_keeps_what_was_typed(db, workspace, app):
    admin = session_client(app, db, workspace, "admin")
    token = csrf_for(admin, "/w/acme/admin/rules/new")

    page = admin.post("/w/acme/admin/rules/new", data={**RULE, "keywords": "(colis", "csrf_token": token})

    assert page.status_code == 400
    assert "keywords" in page.text and "(colis" in page.text
    assert rules_of(db, workspace) == []


def test_an_admin_reorders_disables_and_deletes(db, workspace, app):
    first, second = add(db, workspace, "first"), add(db, workspace, "second")
    admin = session_client(app, db, workspace, "admin")
    token = csrf_for(admin, "/w/acme/admin/rules")

    moved = admin.post(f"/w/acme/admin/rules/{second.id}/move", data={"offset": "-1", "csrf_token": token})
    admin.post(f"/w/acme/admin/rules/{first.id}/disable", data={"csrf_token": token})
    order = [(r.name, r.enabled) for r in rules_of(db, workspace)]
    admin.post(f"/w/acme/admin/rules/{second.id}/delete", data={"csrf_token": token})

    assert moved.status_code == 303
    assert order == [("second", True), ("first", False)]
    assert [r.name for r in rules_of(db, workspace)] == ["first"]


def test_agents_read_the_rules_but_cannot_change_them(db, workspace, app):
    rule = add(db, workspace, "lisible")
    agent = session_client(app, db, workspace, "agent")
    token = csrf_for(agent, "/w/acme/admin/rules")

    listed = agent.get("/w/acme/admin/rules")
    assert listed.status_code == 200 and "lisible" in listed.text and "/delete" not in listed.text
    assert agent.get("/w/acme/admin/rules/new").status_code == 403
    assert agent.post(f"/w/acme/admin/rules/{rule.id}/delete", data={"csrf_token": token}).status_code == 403
    assert [r.name for r in rules_of(db, workspace)] == ["lisible"]


def test_another_workspace_s_rule_is_not_found(db, workspace, other_workspace, app):
    theirs = add(db, other_workspace, "secret globex")
    admin = session_client(app, db, workspace, "admin")
    token = csrf_for(admin, "/w/acme/admin/rules")

    assert admin.get(f"/w/acme/admin/rules/{theirs.id}").status_code == 404
    assert (
        admin.post(f"/w/acme/admin/rules/{theirs.id}/delete", data={"csrf_token": token}).status_code == 404
    )
    assert (
        admin.post(f"/w/acme/admin/rules/{theirs.id}", data={**RULE, "csrf_token": token}).status_code == 404
    )
    assert "secret globex" not in admin.get("/w/acme/admin/rules").text
    assert [r.name for r in rules_of(db, other_workspace)] == ["secret globex"]
