"""Collision detection: who else is viewing or replying, on the conversation and in the inbox."""

from datetime import timedelta

import pytest
from sqlalchemy import select

import desk_helpers as desk
import inbox_factories
from ecoute.inbox import presence
from ecoute.store.people import Presence
from ecoute.store.types import utcnow
from ecoute.web.pages import presence as presence_page
from web_helpers import post_form


@pytest.fixture
def marie(app, db, workspace):
    with desk.person(app, db, workspace.id, "Marie") as client:
        yield client


@pytest.fixture
def karim(app, db, workspace):
    with desk.person(app, db, workspace.id, "Karim") as client:
        yield client


def _others(response):
    return [(p["name"], p["state"]) for p in response.json()["others"]]


def test_each_sees_the_other_on_the_same_conversation(marie, karim, db, workspace, monkeypatch):
    monkeypatch.setattr(presence_page, "HEARTBEAT_SECONDS", 10)  # the browser suite's server beats faster
    conv = inbox_factories.conversation(db, workspace)
    path = f"/w/acme/c/{conv.id}/presence"

    first = post_form(marie, path, {"state": "viewing"})
    second = post_form(karim, path, {"state": "replying"})
    third = post_form(marie, path, {"state": "viewing"})

    assert first.status_code == 200
    assert first.json()["others"] == []
    assert _others(second) == [("Marie", "viewing")]
    assert _others(third) == [("Karim", "replying")]
    assert third.json()["every"] == 10


def test_the_conversation_page_and_the_inbox_show_who_is_there(marie, karim, db, workspace):
    conv = inbox_factories.conversation(db, workspace)
    post_form(marie, f"/w/acme/c/{conv.id}/presence", {"state": "replying"})

    page = karim.get(f"/w/acme/c/{conv.id}", headers={"accept-language": "fr"}).text
    inbox = karim.get("/w/acme/", headers={"accept-language": "en"}).text
    polled = karim.get(f"/w/acme/presence?ids={conv.id}").json()

    assert "Marie est en train de répondre" in page
    assert 'title="Marie is replying"' in inbox
    assert polled == {str(conv.id): [{"user_id": marie.user_id, "name": "Marie", "state": "replying"}]}


def test_leaving_and_silence_both_end_presence(marie, karim, db, workspace):
    conv = inbox_factories.conversation(db, workspace)
    path = f"/w/acme/c/{conv.id}/presence"
    post_form(marie, path, {"state": "viewing"})

    post_form(marie, path, {"state": "gone"})
    after_leaving = _others(post_form(karim, path, {"state": "viewing"}))
    with db.session() as session:  # Karim's last heartbeat, 31 seconds ago
        presence.touch(
            session, workspace.id, conv.id, karim.user_id, "viewing", now=utcnow() - timedelta(seconds=31)
        )
    after_silence = _others(post_form(marie, path, {"state": "viewing"}))

    assert after_leaving == []
    assert after_silence == []


def test_bad_presence_input_is_400_and_foreign_ids_are_not_shown(owner, db, workspace, other_workspace):
    conv = inbox_factories.conversation(db, workspace)
    theirs = inbox_factories.conversation(db, other_workspace)
    outsider = inbox_factories.user(db, other_workspace, "agent")
    with db.session() as session:
        presence.touch(session, other_workspace.id, theirs.id, outsider.id, "viewing")

    bad_state = post_form(owner, f"/w/acme/c/{conv.id}/presence", {"state": "typing"})
    bad_ids = owner.get("/w/acme/presence?ids=1;DROP")
    foreign = owner.get(f"/w/acme/presence?ids={theirs.id}")

    assert bad_state.status_code == 400
    assert bad_ids.status_code == 400
    assert foreign.json() == {}


def test_heartbeats_sweep_away_rows_nobody_refreshes(marie, karim, db, workspace):
    conv = inbox_factories.conversation(db, workspace)
    with db.session() as session:  # Karim closed his laptop an hour ago
        presence.touch(
            session, workspace.id, conv.id, karim.user_id, "viewing", now=utcnow() - timedelta(hours=1)
        )

    post_form(marie, f"/w/acme/c/{conv.id}/presence", {"state": "viewing"})

    with db.session() as session:
        rows = session.scalars(select(Presence.user_id).where(Presence.workspace_id == workspace.id)).all()
    assert rows == [marie.user_id]
