"""An incident opened from an alert links the alert's conversations, drafts statements in the
recommended voice, and updates everyone affected: one personal reply per conversation and round,
in its language, through the reply pipeline (approval rules honoured), never twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from ecoute.incidents import figures, linking, opening, records, statements, updates
from ecoute.incidents.models import PersonalUpdate
from ecoute.respond.approval import set_approval_roles
from ecoute.store.models import AuditEvent, Reply, Workspace
from ecoute.store.repo import Invalid, NotFound
from incident_world import START, outage

NOW = START + timedelta(hours=5)
PACE = timedelta(0)


@pytest.fixture
def world(db, workspace):
    return outage(db, workspace)


def _open(db, workspace, alert_id):
    with db.session() as session:
        incident = opening.open_from_alert(
            session, workspace.id, alert_id, user_id=None, actor="test", now=NOW
        )
        return incident.id


def _send_round(db, workspace, incident_id, role="owner"):
    with db.session() as session:
        drafted = updates.prepare(session, workspace.id, incident_id, actor="test", now=NOW)
        count = len(drafted)
    with db.session() as session:
        queued = updates.approve(
            session, updates.Approver(workspace.id, None, role, "test"), incident_id, pace=PACE
        )
    return count, queued


def _replies(db, workspace):
    with db.session() as session:
        return list(
            session.scalars(select(Reply).where(Reply.workspace_id == workspace.id).order_by(Reply.id))
        )


def test_an_incident_from_an_alert_links_exactly_the_episode_and_reopening_gives_the_same(
    db, workspace, world
):
    first = _open(db, workspace, world.alert_id)
    again = _open(db, workspace, world.alert_id)

    with db.session() as session:
        incident = records.get(session, workspace.id, first)
        linked = linking.linked_ids(session, incident)
        audited = session.scalar(select(func.count()).where(AuditEvent.action == "incident.open"))
    assert again == first and audited == 1
    assert linked == sorted(world.inside)
    assert incident.started_at == START and incident.title.startswith("Pic de mentions")


def test_each_affected_customer_gets_one_personal_update_in_their_language_with_their_problem(
    db, workspace, world
):
    incident_id = _open(db, workspace, world.alert_id)

    with db.session() as session:
        drafted = {
            u.conversation_id: u
            for u in updates.prepare(session, workspace.id, incident_id, actor="t", now=NOW)
        }
    claire, anonymous, tom = (drafted[c] for c in world.inside)
    assert claire.lang == "fr" and claire.text.startswith(
        "Bonjour Claire, vous nous avez signalé le plantage"
    )
    assert "@rider1" in anonymous.text and "«\u00a0Impossible d’ouvrir le cadenas" in anonymous.text
    assert tom.lang == "en" and tom.text.startswith("Hi Tom, you told us about the app crashing")
    assert all(len(u.text) <= 280 for u in drafted.values())  # X's limit


def test_sending_twice_makes_one_reply_per_conversation_and_round(db, workspace, world):
    incident_id = _open(db, workspace, world.alert_id)

    drafted, queued = _send_round(db, workspace, incident_id)
    _, queued_again = _send_round(db, workspace, incident_id)  # a double click, a retry

    replies = _replies(db, workspace)
    assert drafted == queued == 3 and queued_again == 0
    assert sorted(r.conversation_id for r in replies) == sorted(world.inside)
    assert {r.status for r in replies} == {"recorded"}  # no platform sender: recorded for the agent
    with db.session() as session:
        found = figures.figures(session, records.get(session, workspace.id, incident_id))
    assert found.affected == 3 and found.updated == 3


def test_a_new_status_offers_everyone_again_but_the_same_status_only_when_asked(db, workspace, world):
    incident_id = _open(db, workspace, world.alert_id)
    _send_round(db, workspace, incident_id)

    with db.session() as session:
        same = updates.prepare(session, workspace.id, incident_id, actor="t", now=NOW)
        records.change_status(session, workspace.id, incident_id, "identified", user_id=None, actor="t")
    identified, _ = _send_round(db, workspace, incident_id)
    with db.session() as session:
        asked = updates.prepare(session, workspace.id, incident_id, again=True, actor="t", now=NOW)

    assert [u.state for u in same] == ["handed"] * 3  # the round already went out: nothing new
    assert identified == 3 and len(_replies(db, workspace)) == 6
    assert (
        len(asked) == 3
        and {u.round for u in asked} == {"identified-2"}
        and {u.state for u in asked} == {"draft"}
    )


def test_an_agent_whose_replies_need_approval_sends_them_to_the_approvers(db, workspace, world):
    with db.session() as session:
        set_approval_roles(session, session.get(Workspace, workspace.id), ["agent"], actor="test")
    incident_id = _open(db, workspace, world.alert_id)

    _send_round(db, workspace, incident_id, role="agent")

    assert {r.status for r in _replies(db, workspace)} == {"pending"}
    with db.session() as session:
        rows = updates.with_replies(session, list(session.scalars(select(PersonalUpdate))))
        assert {updates.status_of(u, r) for u, r in rows} == {"pending"}


def test_deselected_and_edited_updates_are_honoured(db, workspace, world):
    incident_id = _open(db, workspace, world.alert_id)
    with db.session() as session:
        drafted = updates.prepare(session, workspace.id, incident_id, actor="t", now=NOW)
        first, second = drafted[0].id, drafted[1].id
        updates.edit(
            session,
            workspace.id,
            incident_id,
            {
                first: updates.Edit(text="Bonjour, c'est réparé, pardon !"),
                second: updates.Edit(selected=False),
            },
            actor="t",
        )
    with db.session() as session:
        updates.approve(session, updates.Approver(workspace.id, None, "owner", "t"), incident_id, pace=PACE)

    replies = _replies(db, workspace)
    assert len(replies) == 2 and replies[0].text == "Bonjour, c'est réparé, pardon !"
    with db.session() as session, pytest.raises(Invalid):
        updates.edit(session, workspace.id, incident_id, {second: updates.Edit(text=" ")}, actor="t")


def test_updates_are_spaced_at_a_safe_rate_on_the_queue(db, workspace, world, jobs_wait):
    incident_id = _open(db, workspace, world.alert_id)
    with db.session() as session:
        updates.prepare(session, workspace.id, incident_id, actor="t", now=NOW)
    with db.session() as session:
        updates.approve(
            session,
            updates.Approver(workspace.id, None, "owner", "t"),
            incident_id,
            pace=timedelta(seconds=15),
        )
    with db.session() as session:
        slots = sorted(session.scalars(select(PersonalUpdate.scheduled_at)))
    assert [b - a for a, b in zip(slots, slots[1:], strict=False)] == [timedelta(seconds=15)] * 2


def test_statements_are_transparent_apologetic_and_say_what_comes_next(db, workspace, world):
    incident_id = _open(db, workspace, world.alert_id)
    with db.session() as session:
        records.update_facts(
            session,
            workspace.id,
            incident_id,
            records.IncidentFacts(
                title="Verrous bloqués",
                description="Les verrous connectés ne s'ouvrent plus depuis l'appli",
                action="nous redémarrons les serveurs",
                next_update_at=NOW + timedelta(minutes=30),
            ),
            actor="t",
        )
        incident = records.get(session, workspace.id, incident_id)
        french = statements.draft_statement(session, incident, "fr", NOW)
        english = statements.draft_statement(session, incident, "en", NOW)

    assert french.startswith(
        "Ce qui se passe\u00a0: les verrous connectés ne s’ouvrent plus depuis l’appli, depuis"
    )
    assert "excuses" in french and "nous redémarrons les serveurs" in french and "Prochain point à" in french
    assert "We are sorry" in english and "Next update at" in english


def test_an_impersonator_gets_a_warning_a_message_to_each_contacted_customer_and_a_report(
    db, workspace, world
):
    incident_id = _open(db, workspace, world.impersonation_id)
    with db.session() as session:
        incident = records.get(session, workspace.id, incident_id)
        linked = linking.linked_ids(session, incident)
        warning = statements.draft_statement(session, incident, "fr", NOW)
        report = statements.report_text(session, incident, "en")
        drafted = updates.prepare(session, workspace.id, incident_id, actor="t", now=NOW)

    assert incident.kind == "impersonation" and linked == sorted(world.contacted)
    assert "@cyclune_sav" in warning and "@cyclune_fr" in warning and "Ce n’est pas nous" in warning
    assert "https://help.x.com/forms/impersonation" in report
    assert len(drafted) == 2 and all(
        "n’est pas le nôtre" in u.text and "@cyclune_fr" in u.text for u in drafted
    )


def test_another_workspace_cannot_see_or_change_the_incident(db, workspace, other_workspace, world):
    incident_id = _open(db, workspace, world.alert_id)
    with db.session() as session:
        with pytest.raises(NotFound):
            records.get(session, other_workspace.id, incident_id)
        with pytest.raises(NotFound):
            updates.prepare(session, other_workspace.id, incident_id, actor="t")
        with pytest.raises(NotFound):
            opening.open_from_alert(session, other_workspace.id, world.alert_id, user_id=None, actor="t")
