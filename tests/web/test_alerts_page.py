"""The Alerts page: each alert explains itself from its mentions, links to exactly them, and is
acknowledged, snoozed, resolved or reopened by those who may change conversations."""

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

import inbox_factories
from ecoute.store.models import AuditEvent, Mention
from ecoute.warn.models import Alert
from ecoute.web.pages import alerts as alerts_page
from web_helpers import post_form

START = datetime(2026, 10, 8, 6, 0, tzinfo=UTC)
NOW = START + timedelta(hours=5)


def _mention(db, workspace, at, text, handle, followers=100, sentiment="negative"):
    conv = inbox_factories.conversation(db, workspace, text=text, sentiment=sentiment, handle=handle,
                                        followers=followers)  # fmt: skip
    with db.session() as session:
        mention = session.query(Mention).filter(Mention.conversation_id == conv.id).one()
        mention.created_at = at
    return conv.id


@pytest.fixture
def raised(db, workspace, monkeypatch):
    monkeypatch.setattr(alerts_page, "current_time", lambda: NOW)
    earlier = START - timedelta(days=2)
    before = [
        _mention(db, workspace, earlier - timedelta(hours=n), "Livré", f"old{n}", sentiment="positive")
        for n in range(3)
    ]
    inside = [
        _mention(db, workspace, START + timedelta(minutes=10 * n), f"Panne du verrou ce matin #{n}",
                 f"rider{n}", followers=50_000 if n == 0 else 10)
        for n in range(4)
    ]  # fmt: skip
    calm = _mention(db, workspace, START + timedelta(hours=1), "Rien à signaler", "calm", sentiment="neutral")
    with db.session() as session:
        volume = Alert(workspace_id=workspace.id, kind="volume", started_at=START, peak_at=START,
                       observed=5, expected=0.8, peak_z=9.0)  # fmt: skip
        negative = Alert(workspace_id=workspace.id, kind="negative_share", started_at=START,
                         peak_at=START, ended_at=START + timedelta(hours=2), observed=4, expected=0.5,
                         peak_z=6.0)  # fmt: skip
        session.add_all([volume, negative])
        session.flush()
        ids = volume.id, negative.id
    return {"before": before, "inside": inside, "calm": calm, "volume": ids[0], "negative": ids[1]}


def _card(page: str, alert_id: int) -> str:
    return re.search(rf'<article [^>]*data-alert="{alert_id}".*?</article>', page, re.S).group(0)


def _ids(page: str) -> set[int]:
    return {int(i) for i in re.findall(r'<li class="row[^"]*" data-id="(\d+)"', page)}


def test_an_alert_explains_itself_and_links_to_exactly_its_mentions(owner, raised):
    page = owner.get("/w/acme/alerts", headers={"accept-language": "en"}).text

    volume = _card(page, raised["volume"])
    assert (
        "Spike in mentions" in volume and "5 mentions in the peak hour, 6.2 times the 0.8 expected" in volume
    )
    assert 'data-mentions="5"' in volume and "still going" in volume
    assert re.search(r'<span class="chip"[^>]*>panne</span>', volume)  # rose from nothing, five authors
    assert "@rider0" in volume.split("Most followed authors")[1][:200]  # the most followed first
    inbox = html.unescape(re.search(r'<a href="([^"]+)">see them in the inbox', volume).group(1))
    assert _ids(owner.get(inbox).text) == {*raised["inside"], raised["calm"]}
    negative = _card(page, raised["negative"])
    inbox = html.unescape(re.search(r'<a href="([^"]+)">see them in the inbox', negative).group(1))
    assert _ids(owner.get(inbox).text) == set(raised["inside"])
    assert "Pic de mentions négatives" in owner.get("/w/acme/alerts", headers={"accept-language": "fr"}).text


def test_alerts_are_acknowledged_snoozed_resolved_and_reopened_with_an_audit_trail(
    owner, db, workspace, raised
):
    path = f"/w/acme/alerts/{raised['volume']}"

    def status() -> str:
        page = owner.get("/w/acme/alerts").text
        return re.search(r'data-status="(\w+)"', _card(page, raised["volume"])).group(1)

    assert post_form(owner, path, {"action": "acknowledge"}).status_code == 303
    assert status() == "acknowledged"
    post_form(owner, path, {"action": "snooze", "snooze": "1h"})
    assert status() == "snoozed"
    with db.session() as session:
        assert session.get(Alert, raised["volume"]).snoozed_until == NOW + timedelta(hours=1)
    post_form(owner, path, {"action": "resolve"})
    assert status() == "resolved"
    post_form(owner, path, {"action": "reopen"})
    assert status() == "open"
    assert post_form(owner, path, {"action": "snooze", "snooze": "1y"}).status_code == 400
    assert post_form(owner, path, {"action": "explode"}).status_code == 400
    with db.session() as session:
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.target_type == "alert")).all()
    assert actions == ["alert.acknowledge", "alert.snooze", "alert.resolve", "alert.reopen"]


def test_a_snooze_that_ran_out_shows_the_alert_open_again(owner, db, raised, monkeypatch):
    post_form(owner, f"/w/acme/alerts/{raised['volume']}", {"action": "snooze", "snooze": "1h"})
    monkeypatch.setattr(alerts_page, "current_time", lambda: NOW + timedelta(hours=2))

    page = owner.get("/w/acme/alerts").text

    assert 'data-status="open"' in _card(page, raised["volume"])


def test_viewers_read_alerts_and_other_workspaces_reach_none(login_as, db, other_workspace, raised):
    viewer = login_as("viewer")
    assert viewer.get("/w/acme/alerts").status_code == 200
    assert "Acknowledge" not in viewer.get("/w/acme/alerts", headers={"accept-language": "en"}).text
    assert post_form(viewer, f"/w/acme/alerts/{raised['volume']}", {"action": "resolve"}).status_code == 403
    with db.session() as session:
        theirs = Alert(workspace_id=other_workspace.id, kind="volume", started_at=START, peak_at=START,
                       observed=3, expected=1, peak_z=5)  # fmt: skip
        session.add(theirs)
        session.flush()
        theirs_id = theirs.id
    owner = login_as("owner")
    assert post_form(owner, f"/w/acme/alerts/{theirs_id}", {"action": "resolve"}).status_code == 404
    assert f'data-alert="{theirs_id}"' not in owner.get("/w/acme/alerts").text


def test_an_impersonator_shows_its_reasons_and_the_people_it_answered(owner, db, workspace, monkeypatch):
    monkeypatch.setattr(alerts_page, "current_time", lambda: NOW)
    conv = _mention(db, workspace, START, "@virgile_b lisez le manuel", "cyclune_service_client")
    with db.session() as session:
        author_id = session.query(Mention.author_id).filter(Mention.conversation_id == conv).scalar()
        alert = Alert(
            workspace_id=workspace.id, kind="impersonation", subject="x:cyclune_service_client",
            started_at=START, peak_at=START, observed=1, expected=0, peak_z=0.95,
            details={"author_id": author_id, "handle": "cyclune_service_client", "display_name": "SAV",
                     "brand": "Cyclune", "score": 0.95, "contacted": ["virgile_b"],
                     "reasons": {"en": ["only 214 followers"], "fr": ["seulement 214 abonnés"]}},
        )  # fmt: skip
        session.add(alert)
        session.flush()
        alert_id = alert.id

    card = _card(owner.get("/w/acme/alerts", headers={"accept-language": "fr"}).text, alert_id)

    assert "Compte qui imite la marque" in card and "score 95/100" in card
    assert "<li>seulement 214 abonnés</li>" in card and "@virgile_b" in card
    assert f"/w/acme/c/{conv}" in card  # its own post, to answer or report
