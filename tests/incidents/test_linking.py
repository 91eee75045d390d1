"""While an incident is open, the linking job adds the conversations that now match it (its
alert's episode, its terms), never one unlinked by hand, nothing once it is resolved, and never
the brand's own posts."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

import inbox_factories
from ecoute.incidents import jobs, linking, records
from ecoute.jobs.registry import JobContext, periodics
from ecoute.settings import Settings
from ecoute.store.models import Mention
from incident_world import START, outage


def _conversation(db, workspace, text, handle, minutes):
    conv = inbox_factories.conversation(db, workspace, text=text, handle=handle)
    with db.session() as session:
        for mention in session.scalars(select(Mention).where(Mention.conversation_id == conv.id)):
            mention.created_at = START + timedelta(minutes=minutes)
    return conv.id


def _run(db):
    jobs.link_open_incidents(JobContext(db, Settings(), 0, "periodic:incidents.link", "k", 1, None, "bulk"))


def test_the_job_links_new_matching_conversations_of_open_incidents_only(db, workspace):
    world = outage(db, workspace)
    facts = records.IncidentFacts(title="Cadenas", terms=("cadenas",))
    with db.session() as session:
        incident = records.open_incident(session, workspace.id, facts, user_id=None, actor="t", now=START)
        linking.link_new(session, incident)
        linking.link_by_hand(session, incident, world.inside[1], linked=False, actor="t")
        incident_id = incident.id
    later = _conversation(db, workspace, "Toujours ce cadenas bloqué !", "late", 60)
    brand_own = _conversation(db, workspace, "Cadenas : on s'en occupe", "cyclune_fr", 61)

    assert "incidents.link" in [p.name for p in periodics()]
    _run(db)
    with db.session() as session:
        linked = linking.linked_ids(session, records.get(session, workspace.id, incident_id))
        records.change_status(session, workspace.id, incident_id, "resolved", user_id=None, actor="t")
    after_resolution = _conversation(db, workspace, "Le cadenas encore", "later", 90)
    _run(db)
    with db.session() as session:
        final = linking.linked_ids(session, records.get(session, workspace.id, incident_id))

    assert linked == [later] and brand_own not in linked  # rider1's was unlinked by hand
    assert after_resolution not in final and final == [later]
