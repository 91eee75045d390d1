"""The admin page for people's data, in French and English: find a person, download their data,
erase it only after typing the handle again, set the retention; every step audited."""

from __future__ import annotations

import json

from sqlalchemy import select

from ecoute.store import repo
from ecoute.store.models import AuditEvent, Workspace
from privacy.people_world import HER_WORD, build
from web_helpers import post_form, session_client


def _admin(app, db, workspace):
    return session_client(app, db, workspace, "admin")


def test_the_page_finds_a_person_in_french_and_english(app, db, workspace):
    build(db, workspace)
    admin = _admin(app, db, workspace)

    english = admin.get("/w/acme/admin/privacy?handle=@Marie_D", headers={"accept-language": "en"})
    french = admin.get("/w/acme/admin/privacy?handle=marie_d", headers={"accept-language": "fr"})
    unknown = admin.get("/w/acme/admin/privacy?handle=nobody", headers={"accept-language": "en"})

    assert english.status_code == 200
    assert "2 mention(s) in 1 conversation(s), on x." in english.text
    assert "Erase this person&#39;s data" in english.text
    assert "2 mention(s) dans 1 conversation(s), sur x." in french.text
    assert "Effacer les données de cette personne" in french.text
    assert unknown.status_code == 404 and "no author @nobody in this workspace" in unknown.text


def test_the_download_is_the_json_export_and_is_audited(app, db, workspace):
    build(db, workspace)
    admin = _admin(app, db, workspace)

    response = post_form(admin, "/w/acme/admin/privacy/export", {"handle": "marie_d"})
    with db.session() as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "privacy.export"))

    assert response.status_code == 200
    assert response.headers["content-disposition"] == 'attachment; filename="ecoute-acme-marie_d.json"'
    assert response.headers["cache-control"] == "no-store"
    assert len(json.loads(response.text)["mentions"]) == 2
    assert event.target_id.startswith("erased-") and "marie" not in json.dumps(event.after)


def test_erasing_needs_the_handle_typed_again(app, db, workspace):
    build(db, workspace)
    admin = _admin(app, db, workspace)

    refused = post_form(admin, "/w/acme/admin/privacy/erase", {"handle": "marie_d", "confirm": "marie"})
    with db.session() as session:
        still_there = repo.search_mentions(session, workspace.id, HER_WORD)
    done = post_form(admin, "/w/acme/admin/privacy/erase", {"handle": "marie_d", "confirm": "@Marie_D"})
    with db.session() as session:
        gone = repo.search_mentions(session, workspace.id, HER_WORD)
        actions = list(session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("privacy.%"))))

    assert refused.status_code == 400 and len(still_there) == 2
    assert done.status_code == 200 and "now erased-" in done.text
    assert gone == []
    assert actions == ["privacy.erase"]


def test_agents_may_not_open_it_and_retention_is_saved_and_audited(app, db, workspace):
    agent = session_client(app, db, workspace, "agent")
    admin = _admin(app, db, workspace)

    denied = agent.get("/w/acme/admin/privacy")
    saved = post_form(admin, "/w/acme/admin/privacy/retention", {"months": "18"})
    with db.session() as session:
        settings = session.get(Workspace, workspace.id).settings

    assert denied.status_code == 403
    assert saved.status_code == 200
    assert settings["retention_months"] == 18
