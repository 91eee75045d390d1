"""Mentions through the API: newest first with filters and search, one mention, hide and unhide."""

from sqlalchemy import select

import inbox_factories
from ecoute.store.models import AuditEvent, Mention


def test_mentions_are_newest_first_and_page_through_cursors(api, db, world, workspace):
    viewer = api.as_token(world.acme.tokens["viewer"])
    inbox_factories.conversation(db, workspace, text="Livraison rapide", minutes=90, sentiment="positive")

    first = viewer.get("/api/v1/mentions?limit=2").json()
    rest = viewer.get(f"/api/v1/mentions?limit=2&cursor={first['next_cursor']}").json()

    texts = [m["text"] for m in first["items"] + rest["items"]]
    assert texts == [
        "Livraison rapide",
        f"Toujours rien {world.acme.marker}",
        f"Mon colis {world.acme.marker} est perdu",
    ]
    assert rest["next_cursor"] is None


def test_search_and_filters(api, db, world, workspace):
    viewer = api.as_token(world.acme.tokens["viewer"])
    inbox_factories.conversation(db, workspace, text="Livraison rapide, merci", sentiment="positive")

    found = viewer.get("/api/v1/mentions?q=livraison").json()["items"]
    positive = viewer.get("/api/v1/mentions?sentiment=positive").json()["items"]
    in_thread = viewer.get(f"/api/v1/mentions?conversation={world.acme.conversation_id}").json()["items"]

    assert [m["text"] for m in found] == ["Livraison rapide, merci"]
    assert [m["text"] for m in positive] == ["Livraison rapide, merci"]
    assert len(in_thread) == 2


def test_a_cursor_made_for_other_filters_is_refused(api, db, world, workspace):
    viewer = api.as_token(world.acme.tokens["viewer"])
    cursor = viewer.get("/api/v1/mentions?limit=1").json()["next_cursor"]

    response = viewer.get(f"/api/v1/mentions?limit=1&sentiment=negative&cursor={cursor}")

    assert response.status_code == 422
    assert response.json() == {"detail": "cursor was made for other filters"}


def test_hiding_keeps_the_mention_flags_it_and_audits_both_ways(api, db, world):
    admin = api.as_token(world.acme.tokens["admin"])
    mention = world.acme.reply_mention_id

    hidden = admin.post(f"/api/v1/mentions/{mention}/hide").json()
    listed = admin.get("/api/v1/mentions").json()["items"]
    with_hidden = admin.get("/api/v1/mentions?include_hidden=true").json()["items"]
    shown = admin.post(f"/api/v1/mentions/{mention}/unhide").json()

    assert hidden["hidden"] is True
    assert mention not in [m["id"] for m in listed]
    assert mention in [m["id"] for m in with_hidden]
    assert shown["hidden"] is False
    with db.session() as session:
        assert session.get(Mention, mention) is not None
        events = session.scalars(select(AuditEvent).where(AuditEvent.target_type == "mention")).all()
    assert [(e.action, e.before, e.after) for e in events][-2:] == [
        ("mention.hide", {"hidden": False}, {"hidden": True}),
        ("mention.unhide", {"hidden": True}, {"hidden": False}),
    ]


def test_an_agent_may_not_hide(api, world):
    agent = api.as_token(world.acme.tokens["agent"])

    response = agent.post(f"/api/v1/mentions/{world.acme.mention_id}/hide")

    assert response.status_code == 403
