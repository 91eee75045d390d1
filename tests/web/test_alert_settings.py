"""Settings › Alerts and ``/api/v1/alerts/settings``: sensitivity, detectors, cooldown, channels
(the incoming webhook's URL sealed, private addresses refused), muted terms muted from the Alerts
page and unmuted here; bad input named, other workspaces untouched."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from ecoute.store.models import AuditEvent, Workspace
from ecoute.warn import preferences
from ecoute.warn.models import Alert
from openapi_check import ApiClient
from web_helpers import post_form

HOOK = "https://hooks.example.org/services/T1/B2/very-secret"
FORM = {"sensitivity": "sensitive", "cooldown_minutes": "240", "detectors": "volume", "email": "true"}


def _stored(db, workspace_id: int) -> dict:
    with db.session() as session:
        return dict((session.get(Workspace, workspace_id).settings or {}).get("alerts") or {})


def test_the_page_saves_the_settings_in_both_languages_and_seals_the_webhook(owner, db, workspace):
    en = owner.get("/w/acme/admin/alerts", headers={"accept-language": "en"})
    fr = owner.get("/w/acme/admin/alerts", headers={"accept-language": "fr"})
    assert en.status_code == 200 and "Sensitivity" in en.text and "Muted terms" in en.text
    assert "Sensibilité" in fr.text and "Termes ignorés" in fr.text

    saved = post_form(owner, "/w/acme/admin/alerts", {**FORM, "slack_url": HOOK})

    assert saved.status_code == 200 and "data-saved" in saved.text
    assert "data-slack-set" in saved.text and "very-secret" not in saved.text
    stored = _stored(db, workspace.id)
    assert stored["sensitivity"] == "sensitive" and stored["cooldown_minutes"] == 240
    assert stored["detectors"] == ["volume"] and stored["webhook_event"] is False
    assert stored["slack_url"] and "very-secret" not in stored["slack_url"]  # sealed at rest
    with db.session() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "alerts.settings")).one()
    assert "very-secret" not in str(event.after) and event.after["slack"] is True


def test_bad_input_is_refused_naming_the_field(owner, db, workspace):
    private = post_form(owner, "/w/acme/admin/alerts", {**FORM, "slack_url": "http://127.0.0.1/hook"})
    short = post_form(owner, "/w/acme/admin/alerts", {**FORM, "cooldown_minutes": "1"})
    level = post_form(owner, "/w/acme/admin/alerts", {**FORM, "sensitivity": "paranoid"})
    assert private.status_code == 400 and "slack_url" in private.text
    assert 400 <= short.status_code < 500 and 400 <= level.status_code < 500
    assert "sensitivity" in level.text
    assert _stored(db, workspace.id) == {}


def test_agents_cannot_change_alert_settings(login_as):
    agent = login_as("agent")
    assert agent.get("/w/acme/admin/alerts").status_code == 403
    assert post_form(agent, "/w/acme/admin/alerts", FORM).status_code == 403


def _term_alert(db, workspace_id: int, term: str) -> int:
    at = datetime(2026, 10, 8, 9, tzinfo=UTC)
    with db.session() as session:
        alert = Alert(
            workspace_id=workspace_id, kind="term", subject=f"term:{term}", started_at=at, peak_at=at,
            observed=9, expected=0.2, peak_z=5.1,
            details={"term": term, "authors": 9, "authors_before": 1, "log_odds": 2.0},
        )  # fmt: skip
        session.add(alert)
        session.flush()
        return alert.id


def test_a_term_is_muted_from_the_alerts_page_and_unmuted_in_settings(owner, db, workspace, other_workspace):
    alert_id = _term_alert(db, workspace.id, "#cyclunefail")
    theirs = _term_alert(db, other_workspace.id, "#cyclunefail")
    page = owner.get("/w/acme/alerts", headers={"accept-language": "en"}).text
    assert "Mute this term" in page and "#cyclunefail" in page

    muted = post_form(owner, f"/w/acme/alerts/{alert_id}/mute")
    foreign = post_form(owner, f"/w/acme/alerts/{theirs}/mute")

    assert muted.status_code in (200, 303) and foreign.status_code == 404
    assert _stored(db, workspace.id)["muted_terms"] == ["#cyclunefail"]
    assert _stored(db, other_workspace.id) == {}
    with db.session() as session:
        assert session.get(Alert, alert_id).status == "resolved"
    settings_page = owner.get("/w/acme/admin/alerts").text
    assert 'data-muted="#cyclunefail"' in settings_page

    post_form(owner, "/w/acme/admin/alerts/unmute", {"term": "#cyclunefail"})
    assert _stored(db, workspace.id)["muted_terms"] == []


def test_only_a_term_alert_can_be_muted(owner, db, workspace):
    at = datetime(2026, 10, 8, 9, tzinfo=UTC)
    with db.session() as session:
        spike = Alert(workspace_id=workspace.id, kind="volume", started_at=at, peak_at=at, observed=50,
                      expected=5, peak_z=9)  # fmt: skip
        session.add(spike)
        session.flush()
        spike_id = spike.id
    assert post_form(owner, f"/w/acme/alerts/{spike_id}/mute").status_code == 400


def test_the_api_reads_and_changes_the_settings(client, db, workspace, other_workspace):
    from ecoute.auth import api_tokens

    with db.session() as session:
        admin_token, _ = api_tokens.create_token(session, workspace.id, name="admin", role="admin")
        viewer_token, _ = api_tokens.create_token(session, workspace.id, name="viewer", role="viewer")
    admin, viewer = ApiClient(client, admin_token), ApiClient(client, viewer_token)

    defaults = viewer.get("/api/v1/alerts/settings").json()
    changed = admin.put(
        "/api/v1/alerts/settings",
        json={"sensitivity": "quiet", "cooldown_minutes": 30, "slack_url": HOOK, "muted_terms": ["#Promo"]},
    )
    refused = viewer.put("/api/v1/alerts/settings", json={"sensitivity": "quiet"})
    private = admin.put("/api/v1/alerts/settings", json={"slack_url": "http://10.0.0.5/hook"})
    short = admin.put("/api/v1/alerts/settings", json={"cooldown_minutes": 1})
    stranger = admin.put("/api/v1/alerts/settings", json={"email_recipients": [999999]})

    assert defaults["sensitivity"] == "normal" and defaults["cooldown_minutes"] == 120
    assert defaults["email_recipients"] is None and defaults["slack"] is False
    assert changed.status_code == 200
    assert changed.json()["sensitivity"] == "quiet" and changed.json()["slack"] is True
    assert changed.json()["muted_terms"] == ["#promo"] and "slack_url" not in changed.json()
    assert refused.status_code == 403
    assert private.status_code == 422 and "slack_url" in private.text
    assert short.status_code == 422 and "cooldown_minutes" in short.text
    assert stranger.status_code == 422 and "email_recipients" in stranger.text
    with db.session() as session:
        chosen = preferences.load(session.get(Workspace, workspace.id))
        theirs = preferences.load(session.get(Workspace, other_workspace.id))
    assert chosen.spike_settings().min_z == 5.0 and theirs.sensitivity == "normal"
