"""The Incidents pages: an alert's button opens its incident, which shows its figures, statement
drafts and timeline in French and English; the bulk review sends one personal update per affected
conversation however often it is submitted; another workspace gets 404; bad input a 4xx."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from ecoute.incidents.models import PersonalUpdate
from ecoute.settings import Settings
from ecoute.store.models import AuditEvent, Reply
from ecoute.web.pages import incidents as incidents_page
from incident_world import START, outage
from web_helpers import post_form, session_client


@pytest.fixture
def settings(tmp_path) -> Settings:
    """No pause between two personal updates: the immediate queue runs only what is due now."""
    return Settings(
        {"data_dir": str(tmp_path / "data"), "secret_key": "test-secret-key", "incident_update_pace_s": "0"}
    )


@pytest.fixture
def world(db, workspace, monkeypatch):
    monkeypatch.setattr(incidents_page, "current_time", lambda: START + timedelta(hours=5))
    return outage(db, workspace)


def _open(owner, world) -> str:
    response = post_form(owner, f"/w/acme/alerts/{world.alert_id}/incident")
    assert response.status_code == 303
    return response.headers["location"]


def _review_form(page: str) -> dict[str, list[str]]:
    ids = re.findall(r'name="shown" value="(\d+)"', page)
    form: dict[str, list[str]] = {"shown": ids}
    for update_id in ids:
        form[f"pick_{update_id}"] = ["1"]
        form[f"text_{update_id}"] = [re.search(rf'name="text_{update_id}"[^>]*>([^<]*)<', page).group(1)]
    return form


def _send(client, path: str, form: dict[str, list[str]], action: str):
    token = re.search(r'<meta name="csrf-token" content="([^"]*)"', client.get("/w").text).group(1)
    return client.post(path, data={**form, "action": action, "csrf_token": token})


def test_the_alert_button_opens_an_incident_shown_in_both_languages(owner, world):
    path = _open(owner, world)
    alerts = owner.get("/w/acme/alerts").text

    english = owner.get(path, headers={"accept-language": "en"}).text
    french = owner.get(path, headers={"accept-language": "fr"}).text
    assert f'href="{path}" data-incident-link' in alerts
    assert 'href="/w/acme/incidents" data-incidents-link' in alerts
    assert (
        'data-affected="3"' in english
        and "people affected" in english
        and "Update everyone affected" in english
    )
    assert "Prévenir chaque personne touchée" in french and "personnes touchées" in french
    assert (
        "We are sorry" in english and "Nous vous présentons nos excuses" in french
    )  # both drafts on each page
    assert _open(owner, world) == path  # a second click: the same incident


def test_status_and_statements_go_on_the_timeline_with_who_and_when(owner, world, db):
    path = _open(owner, world)

    assert post_form(owner, f"{path}/status", {"status": "identified"}).status_code == 303
    assert (
        post_form(
            owner, f"{path}/statements", {"lang": "fr", "body": "Nous avons trouvé la cause."}
        ).status_code
        == 303
    )

    page = owner.get(path, headers={"accept-language": "en"}).text
    timeline = page.split("data-timeline")[1]
    assert (
        timeline.index('data-event="opened"')
        < timeline.index('data-event="status"')
        < timeline.index('data-event="statement"')
    )
    assert "Nous avons trouvé la cause." in timeline and "public statement (French)" in timeline
    with db.session() as session:
        actions = set(session.scalars(select(AuditEvent.action)))
    assert {"incident.open", "incident.status", "incident.statement"} <= actions
    assert re.search(r"data-first-update>[^<]*\d", page)  # time to the first public update


def test_the_bulk_review_sends_one_update_per_conversation_however_often_it_is_submitted(owner, world, db):
    updates_path = _open(owner, world) + "/updates"
    assert _send(owner, updates_path, {}, "prepare").status_code == 303
    form = _review_form(owner.get(updates_path).text)
    first, second, third = form["shown"]
    form[f"text_{first}"] = ["Bonjour, un mot rien que pour vous."]
    del form[f"pick_{second}"]  # left out

    assert _send(owner, updates_path, form, "send").status_code == 303
    assert _send(owner, updates_path, form, "send").status_code == 303  # a double click

    with db.session() as session:
        replies = list(session.scalars(select(Reply)))
        states = {u.id: u.state for u in session.scalars(select(PersonalUpdate))}
    assert len(replies) == 2 and "Bonjour, un mot rien que pour vous." in {r.text for r in replies}
    assert states[int(second)] == "draft" and states[int(first)] == states[int(third)] == "handed"
    page = owner.get(updates_path, headers={"accept-language": "en"}).text
    assert page.count('data-state="recorded"') == 2 and page.count('data-state="skipped"') == 1


def test_another_workspace_cannot_see_or_act_on_the_incident(app, db, owner, world, other_workspace):
    path = _open(owner, world)
    stranger = session_client(app, db, other_workspace, "owner")
    foreign = path.replace("/w/acme/", "/w/globex/")

    assert stranger.get(foreign).status_code == 404
    assert post_form(stranger, f"{foreign}/status", {"status": "resolved"}).status_code == 404
    assert _send(stranger, f"{foreign}/updates", {}, "prepare").status_code == 404
    assert post_form(stranger, f"/w/globex/alerts/{world.alert_id}/incident").status_code == 404


def test_bad_input_is_a_clear_4xx(owner, login_as, world):
    path = _open(owner, world)
    viewer = login_as("viewer")

    bad_status = post_form(owner, f"{path}/status", {"status": "exploded"})
    bad_next = post_form(owner, "/w/acme/incidents", {"title": "Panne", "next_in": "7"})
    no_title = post_form(owner, "/w/acme/incidents", {"title": "  "})
    assert bad_status.status_code == 400 and "status" in bad_status.text
    assert bad_next.status_code == 400 and "next_in" in bad_next.text
    assert no_title.status_code == 400 and "title" in no_title.text
    assert _send(owner, f"{path}/updates", {"shown": ["x1"]}, "save").status_code == 400
    assert _send(owner, f"{path}/updates", {}, "explode").status_code == 400
    assert post_form(viewer, f"{path}/status", {"status": "resolved"}).status_code == 403


def test_an_incident_opened_by_hand_links_conversations_saying_its_terms(owner, world):
    form = {
        "title": "Cadenas bloqués",
        "terms": "cadenas, lock",
        "description": "Les cadenas ne s'ouvrent plus",
    }
    response = post_form(owner, "/w/acme/incidents", form)
    page = owner.get(response.headers["location"]).text

    linked = set(map(int, re.findall(r'<li data-conversation="(\d+)"', page)))
    assert linked == {world.inside[1], world.inside[2]}
    assert "Cadenas bloqués" in owner.get("/w/acme/incidents").text


def test_a_conversation_is_linked_from_its_own_page_and_shows_its_incident(owner, world):
    path = _open(owner, world)
    incident_id = int(path.rsplit("/", 1)[1])

    linked = post_form(owner, f"/w/acme/c/{world.calm}/incident", {"incident_id": str(incident_id)})
    page = owner.get(f"/w/acme/c/{world.calm}").text
    incident = owner.get(path).text

    assert linked.status_code == 303
    assert f'data-incident="{incident_id}"' in page.split("data-incidents")[1]
    assert f'<li data-conversation="{world.calm}"' in incident
