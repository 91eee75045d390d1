"""/api/v1 replies: drafts, idempotent submission, approval by role, collisions, similarity,
recorded replies, and the metrics and deadlines moving after a reply (SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import select

import reply_factories as rf
from ecoute.respond import approval
from ecoute.store.models import AuditEvent, Workspace

COMPLAINT = "Commande #CL-20931 toujours pas livrée après trois semaines, c'est inadmissible."


def _set_roles(db, workspace, roles):
    with db.session() as session:
        ws = session.get(Workspace, workspace.id)
        approval.set_approval_roles(session, ws, roles, actor="test")


def _audit(db, workspace):
    with db.session() as session:
        return list(session.scalars(select(AuditEvent.action).where(AuditEvent.workspace_id == workspace.id)))


def test_drafts_come_in_the_customers_language(db, world, api):
    conv = rf.conversation(db, world.acme.workspace, text=COMPLAINT)
    body = api.as_token(world.acme.tokens["agent"]).get(f"/api/v1/conversations/{conv.id}/drafts").json()
    assert (body["lang"], body["limit"]) == ("fr", 280)
    assert 2 <= len(body["drafts"]) <= 3
    assert "CL-20931" in body["drafts"][0]["text"]


def test_the_same_idempotency_key_stores_one_reply(db, world, api):
    conv = rf.conversation(db, world.acme.workspace, text=COMPLAINT)
    agent = api.as_token(world.acme.tokens["agent"])
    headers = {"Idempotency-Key": "composer-0001"}
    first = agent.post(
        f"/api/v1/conversations/{conv.id}/replies", json={"text": "Bonjour, on regarde."}, headers=headers
    )
    again = agent.post(
        f"/api/v1/conversations/{conv.id}/replies", json={"text": "Bonjour, on regarde."}, headers=headers
    )
    assert (first.status_code, again.status_code) == (201, 200)
    assert (first.json()["status"], again.json()["replayed"], again.json()["id"]) == (
        "recorded",
        True,
        first.json()["id"],
    )
    assert len(rf.replies(db, world.acme.workspace, conv.id)) == 1


def test_an_agents_reply_waits_for_an_admin_who_approves_it_edited(db, world, api):
    _set_roles(db, world.acme.workspace, ["agent"])
    conv = rf.conversation(db, world.acme.workspace, text=COMPLAINT)
    agent = api.as_token(world.acme.tokens["agent"])
    held = agent.post(
        f"/api/v1/conversations/{conv.id}/replies",
        json={"text": "Désolés !"},
        headers={"Idempotency-Key": "k-approve-1"},
    ).json()
    forbidden = agent.post(f"/api/v1/replies/{held['id']}/approve")
    admin = api.as_token(world.acme.tokens["admin"])
    queue = admin.get("/api/v1/replies/pending").json()["replies"]
    approved = admin.post(
        f"/api/v1/replies/{held['id']}/approve", json={"text": "Désolés pour ce retard, on s'en occupe."}
    )
    assert (held["status"], forbidden.status_code, [r["id"] for r in queue]) == ("pending", 403, [held["id"]])
    assert (approved.json()["status"], approved.json()["text"]) == (
        "recorded",
        "Désolés pour ce retard, on s'en occupe.",
    )
    assert {"reply.submit", "reply.approve", "reply.record"} <= set(_audit(db, world.acme.workspace))


def test_a_rejected_reply_keeps_the_approvers_note(db, world, api):
    _set_roles(db, world.acme.workspace, ["agent"])
    conv = rf.conversation(db, world.acme.workspace, text=COMPLAINT)
    held = (
        api.as_token(world.acme.tokens["agent"])
        .post(
            f"/api/v1/conversations/{conv.id}/replies",
            json={"text": "Pas notre faute."},
            headers={"Idempotency-Key": "k-reject-1"},
        )
        .json()
    )
    rejected = api.as_token(world.acme.tokens["admin"]).post(
        f"/api/v1/replies/{held['id']}/reject", json={"note": "Jamais défensif : excuse et solution."}
    )
    assert (rejected.json()["status"], rejected.json()["review_note"]) == (
        "rejected",
        "Jamais défensif : excuse et solution.",
    )
    assert rf.conversation_row(db, conv.id).needs_reply is True


def test_a_second_reply_after_another_went_out_needs_a_confirmation(db, world, api):
    conv = rf.conversation(db, world.acme.workspace, text=COMPLAINT)
    agent = api.as_token(world.acme.tokens["agent"])
    url = f"/api/v1/conversations/{conv.id}/replies"
    agent.post(
        url, json={"text": "Bonjour, on s'en occupe tout de suite."}, headers={"Idempotency-Key": "k-first-1"}
    )
    body = {"text": "Bonjour, nous regardons votre commande.", "seen_reply_id": 0}
    refused = agent.post(url, json=body, headers={"Idempotency-Key": "k-second-1"})
    confirmed = agent.post(
        url, json={**body, "confirm_collision": True}, headers={"Idempotency-Key": "k-second-1"}
    )
    detail = refused.json()["detail"]
    assert (refused.status_code, detail["reason"]) == (409, "collision")
    assert [r["text"] for r in detail["replies"]] == ["Bonjour, on s'en occupe tout de suite."]
    assert confirmed.status_code == 201


def test_a_copy_of_a_recent_reply_needs_a_confirmation(db, world, api):
    first = rf.conversation(db, world.acme.workspace, text=COMPLAINT)
    second = rf.conversation(db, world.acme.workspace, text=COMPLAINT)
    agent = api.as_token(world.acme.tokens["agent"])
    text = "Bonjour, toutes nos excuses pour ce retard de livraison. Écrivez-nous en privé avec votre numéro."
    agent.post(
        f"/api/v1/conversations/{first.id}/replies",
        json={"text": text},
        headers={"Idempotency-Key": "k-copy-1"},
    )
    refused = agent.post(
        f"/api/v1/conversations/{second.id}/replies",
        json={"text": text},
        headers={"Idempotency-Key": "k-copy-2"},
    )
    assert (refused.status_code, refused.json()["detail"]["reason"]) == (409, "similar")
    assert refused.json()["detail"]["nearest_text"] == text


def test_too_long_for_the_platform_is_refused(db, world, api):
    conv = rf.conversation(db, world.acme.workspace, text=COMPLAINT)
    response = api.as_token(world.acme.tokens["agent"]).post(
        f"/api/v1/conversations/{conv.id}/replies",
        json={"text": "a" * 281},
        headers={"Idempotency-Key": "k-long-1"},
    )
    assert response.status_code == 422
    assert "281 characters" in response.json()["detail"]


def test_metrics_and_deadlines_move_after_a_reply(db, world, api):
    conv = rf.conversation(db, world.acme.workspace, text=COMPLAINT)
    owner = api.as_token(world.acme.tokens["owner"])
    clocks_before = owner.get("/api/v1/deadlines").json()["items"]
    answered_before = owner.get("/api/v1/metrics").json()["total"]["answered"]
    owner.post(
        f"/api/v1/conversations/{conv.id}/replies",
        json={"text": "Bonjour, on regarde."},
        headers={"Idempotency-Key": "k-metrics"},
    )
    clocks_after = owner.get("/api/v1/deadlines").json()["items"]
    answered_after = owner.get("/api/v1/metrics").json()["total"]["answered"]
    assert conv.id in {d["conversation_id"] for d in clocks_before}
    assert conv.id not in {d["conversation_id"] for d in clocks_after}
    assert answered_after == answered_before + 1
