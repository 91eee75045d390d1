"""/api/v1/drafts: the sector settings read and replaced (validated, audited), the preview, and the
conversation's drafts speaking the workspace's trade (SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import select

import reply_factories as rf
from ecoute.store.models import AuditEvent, Workspace

HOTEL = {
    "sector": "hotel",
    "places": ["Nice"],
    "words": {"en": {"reference": "confirmation number"}},
}


def test_settings_start_neutral_and_keep_a_catalogue_saved_before_sectors(db, world, api):
    with db.session() as session:
        ws = session.get(Workspace, world.acme.workspace.id)
        ws.settings = {**(ws.settings or {}), "reply_catalogue": {"products": ["Lumen 2"]}}

    body = api.as_token(world.acme.tokens["viewer"]).get("/api/v1/drafts/settings").json()

    assert body["settings"]["sector"] == "other"
    assert body["settings"]["products"] == ["Lumen 2"]
    assert "restaurant" in body["sectors"] and len(body["sectors"]) == 9


def test_an_admin_replaces_the_settings_and_the_sector_words_come_back(db, world, api):
    admin = api.as_token(world.acme.tokens["admin"])

    put = admin.put("/api/v1/drafts/settings", json=HOTEL)
    got = admin.get("/api/v1/drafts/settings").json()

    assert put.status_code == 200
    assert got["settings"]["sector"] == "hotel"
    assert got["settings"]["words"]["en"]["reference"] == "confirmation number"
    assert got["sector_words"]["fr"]["reference"] == "numéro de réservation"
    with db.session() as session:
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.workspace_id == world.acme.workspace.id)
        ).all()
    assert "workspace.drafts" in actions


def test_a_bad_setting_is_refused_naming_the_field(world, api):
    admin = api.as_token(world.acme.tokens["admin"])

    sector = admin.put("/api/v1/drafts/settings", json={"sector": "bakery"})
    wording = admin.put("/api/v1/drafts/settings", json={"wordings": "[fr.slots]\nthanks = [merci]"})
    email = admin.put("/api/v1/drafts/settings", json={"contact_email": "not an address"})

    assert (sector.status_code, wording.status_code, email.status_code) == (422, 422, 422)
    assert "sector" in sector.text
    assert "wordings" in wording.text and "line 2" in wording.text
    assert "contact_email" in email.text


def test_the_conversations_drafts_speak_the_workspaces_trade(db, world, api):
    admin = api.as_token(world.acme.tokens["admin"])
    admin.put("/api/v1/drafts/settings", json=HOTEL)
    conv = rf.conversation(
        db, world.acme.workspace, text="Found a cockroach in the bathroom of room 214. Disgusting.", lang="en"
    )

    drafts = admin.get(f"/api/v1/conversations/{conv.id}/drafts").json()["drafts"]

    assert all("cockroach in room 214" in d["text"] for d in drafts), drafts
    assert any("confirmation number" in d["text"] for d in drafts), drafts
    assert not any("order number" in d["text"] for d in drafts)


def test_the_preview_drafts_a_typed_message_with_the_saved_settings(world, api):
    admin = api.as_token(world.acme.tokens["admin"])
    admin.put("/api/v1/drafts/settings", json={"sector": "telecom"})

    body = admin.post(
        "/api/v1/drafts/preview", json={"text": "la fibre coupée depuis 3 jours à Lille", "kind": "complaint"}
    ).json()

    assert body["problem"] == "la coupure de fibre à Lille depuis trois jours"
    assert all("Lille" in d["text"] and "commande" not in d["text"] for d in body["drafts"])
