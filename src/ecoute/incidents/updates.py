"""Updating everyone affected: a round of personal updates (one per linked conversation, for the
incident's current status), reviewed in bulk (edit any, deselect any), then approved all at once.

Each approved update is a job on the ``delivery`` queue, spaced ``pace`` apart across the
workspace (a safe rate for the platforms), that hands it to the reply pipeline
(``ecoute.respond.outbox.submit_reply``): approval rules apply (a reply from a role that needs one
waits for an approver), and the reply's key is derived from the incident and the round, so a
retry, a second click or a second worker never makes two replies to one conversation per round.
Conversations already updated for the current status are offered again only when asked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ecoute.jobs import defer
from ecoute.settings import Settings
from ecoute.store.models import Conversation, Reply, Workspace
from ecoute.store.repo import Invalid, NotFound, record_audit
from ecoute.store.types import utcnow

from . import linking, personal
from .models import Incident, PersonalUpdate
from .records import get

JOB = "incidents.send_update"
MAX_TEXT = 4000


@dataclass(frozen=True)
class Edit:
    text: str | None = None
    selected: bool | None = None


def submission(update: PersonalUpdate) -> str:
    """The reply's submission name: one per incident, round and conversation."""
    return f"incident:{update.incident_id}:round:{update.round}"


def round_updates(session: Session, incident: Incident) -> list[PersonalUpdate]:
    if not incident.update_round:
        return []
    return list(
        session.scalars(
            select(PersonalUpdate)
            .where(
                PersonalUpdate.workspace_id == incident.workspace_id,
                PersonalUpdate.incident_id == incident.id,
                PersonalUpdate.round == incident.update_round,
            )
            .order_by(PersonalUpdate.id)
        )
    )


def prepare(
    session: Session,
    workspace_id: int,
    incident_id: int,
    *,
    again: bool = False,
    actor: str,
    now: datetime | None = None,
) -> list[PersonalUpdate]:
    """Draft the updates of the round for the current status: one per linked conversation that has
    none for it yet (``again``: a new round for every linked conversation)."""
    now = now or utcnow()
    incident = get(session, workspace_id, incident_id)
    workspace = session.get(Workspace, workspace_id)
    if workspace is None:
        raise NotFound(f"no workspace #{workspace_id}")
    name = _next_round(session, incident) if again else incident.status
    incident.update_round = name
    done = {u.conversation_id for u in round_updates(session, incident)}
    for conversation_id in linking.linked_ids(session, incident):
        if conversation_id in done:
            continue
        conversation = session.get(Conversation, conversation_id)
        who = personal.customer(session, workspace_id, conversation) if conversation else None
        if who is None:
            continue
        text, lang = personal.compose(session, workspace, incident, who, now)
        session.add(
            PersonalUpdate(
                workspace_id=workspace_id,
                incident_id=incident.id,
                conversation_id=conversation_id,
                round=name,
                mention_id=who.mention.id,
                lang=lang,
                text=text,
                created_at=now,
                updated_at=now,
            )
        )
    session.flush()
    drafted = round_updates(session, incident)
    record_audit(
        session,
        workspace_id,
        actor=actor,
        action="incident.updates_prepare",
        target_type="incident",
        target_id=incident.id,
        after={"round": name, "updates": len(drafted)},
    )
    return drafted


def _next_round(session: Session, incident: Incident) -> str:
    rounds = session.scalar(
        select(func.count(func.distinct(PersonalUpdate.round))).where(
            PersonalUpdate.workspace_id == incident.workspace_id,
            PersonalUpdate.incident_id == incident.id,
            PersonalUpdate.round.like(f"{incident.status}%"),
        )
    )
    return f"{incident.status}-{int(rounds or 0) + 1}"


def edit(
    session: Session, workspace_id: int, incident_id: int, edits: Mapping[int, Edit], *, actor: str
) -> int:
    """Change the text or the selection of drafts of the current round; returns how many changed."""
    incident = get(session, workspace_id, incident_id)
    by_id = {u.id: u for u in round_updates(session, incident)}
    changed = 0
    for update_id, change in edits.items():
        update = by_id.get(update_id)
        if update is None:
            raise NotFound(f"no update #{update_id} in this incident's current round")
        if update.state != "draft":
            continue
        text = (change.text or "").strip() if change.text is not None else update.text
        if not text or len(text) > MAX_TEXT:
            raise Invalid(f"text: update #{update_id} must have 1 to {MAX_TEXT} characters")
        selected = update.selected if change.selected is None else change.selected
        if (text, selected) != (update.text, update.selected):
            update.text, update.selected, update.updated_at = text, selected, utcnow()
            changed += 1
    if changed:
        record_audit(
            session,
            workspace_id,
            actor=actor,
            action="incident.updates_edit",
            target_type="incident",
            target_id=incident.id,
            after={"changed": changed},
        )
    return changed


@dataclass(frozen=True)
class Approver:
    """Who approves a round: their replies follow their role's approval rule."""

    workspace_id: int
    user_id: int | None
    role: str
    actor: str


def pace_of(settings: Settings) -> timedelta:
    """How far apart two personal updates go out (``ECOUTE_INCIDENT_UPDATE_PACE_S``)."""
    return timedelta(seconds=max(0, settings.int("incident_update_pace_s")))


def approve(
    session: Session, who: Approver, incident_id: int, *, pace: timedelta, now: datetime | None = None
) -> int:
    """Queue every selected draft of the current round, ``pace`` apart; returns how many.

    A second call queues nothing more: only drafts are queued, and each job's key is its update's."""
    now = now or utcnow()
    incident = get(session, who.workspace_id, incident_id)
    slot = max(now, _last_slot(session, who.workspace_id) + pace)
    queued = 0
    for update in round_updates(session, incident):
        if update.state != "draft" or not update.selected:
            continue
        update.state, update.scheduled_at, update.approved_by_id = "queued", slot, who.user_id
        update.updated_at = now
        payload = {"update_id": update.id, "role": who.role, "user_id": who.user_id, "actor": who.actor}
        defer(
            session,
            JOB,
            payload,
            key=f"incident-update:{update.id}",
            workspace_id=who.workspace_id,
            run_at=slot,
        )
        slot += pace
        queued += 1
    if queued:
        after = {"round": incident.update_round, "queued": queued}
        record_audit(
            session,
            who.workspace_id,
            actor=who.actor,
            action="incident.updates_approve",
            target_type="incident",
            target_id=incident.id,
            after=after,
        )
    return queued


def _last_slot(session: Session, workspace_id: int) -> datetime:
    """When the workspace's last queued update is due (long ago when none is)."""
    found = session.scalar(
        select(func.max(PersonalUpdate.scheduled_at)).where(
            PersonalUpdate.workspace_id == workspace_id, PersonalUpdate.state == "queued"
        )
    )
    return found or datetime(2000, 1, 1, tzinfo=utcnow().tzinfo)


def status_of(update: PersonalUpdate, reply: Reply | None) -> str:
    """Where an update is: draft, skipped, queued, failed, or its reply's status (pending: waiting
    for an approver; sending; sent; recorded; rejected; failed)."""
    if update.state == "draft":
        return "draft" if update.selected else "skipped"
    if reply is not None:
        return reply.status
    return update.state


def with_replies(
    session: Session, updates: list[PersonalUpdate]
) -> list[tuple[PersonalUpdate, Reply | None]]:
    ids = [u.reply_id for u in updates if u.reply_id]
    replies = {r.id: r for r in session.scalars(select(Reply).where(Reply.id.in_(ids)))} if ids else {}
    return [(u, replies.get(u.reply_id) if u.reply_id else None) for u in updates]
