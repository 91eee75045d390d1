"""An incident's figures: people affected and people updated, how long until the first public
update (from the opening, and from the alert's start), and the negative share of the linked
conversations' mentions before and after that first update."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from ecoute.store.models import Conversation, Mention, Reply
from ecoute.store.reply_models import DONE_STATUSES
from ecoute.warn.models import Alert

from .models import Incident, IncidentEvent, IncidentLink, PersonalUpdate


@dataclass(frozen=True)
class Share:
    negative: int
    total: int

    @property
    def ratio(self) -> float | None:
        return self.negative / self.total if self.total else None


@dataclass(frozen=True)
class Figures:
    affected: int
    updated: int
    first_update_at: datetime | None
    since_opening: timedelta | None
    since_alert: timedelta | None
    before: Share
    after: Share | None


def figures(session: Session, incident: Incident) -> Figures:
    ws = incident.workspace_id
    linked = select(IncidentLink.conversation_id).where(
        IncidentLink.workspace_id == ws,
        IncidentLink.incident_id == incident.id,
        IncidentLink.removed.is_(False),
    )
    person = func.coalesce(Conversation.author_id, -Conversation.id)  # no author: the conversation
    affected = session.scalar(
        select(func.count(func.distinct(person))).where(
            Conversation.workspace_id == ws, Conversation.id.in_(linked)
        )
    )
    updated = session.scalar(
        select(func.count(func.distinct(person)))
        .join(PersonalUpdate, PersonalUpdate.conversation_id == Conversation.id)
        .join(Reply, Reply.id == PersonalUpdate.reply_id)
        .where(
            Conversation.workspace_id == ws,
            PersonalUpdate.workspace_id == ws,
            PersonalUpdate.incident_id == incident.id,
            Reply.status.in_(DONE_STATUSES),
            Conversation.id.in_(linked),
        )
    )
    first = session.scalar(
        select(func.min(IncidentEvent.created_at)).where(
            IncidentEvent.workspace_id == ws,
            IncidentEvent.incident_id == incident.id,
            IncidentEvent.kind == "statement",
        )
    )
    alert = session.get(Alert, incident.alert_id) if incident.alert_id else None
    mentions = [Mention.workspace_id == ws, Mention.hidden.is_(False), Mention.conversation_id.in_(linked)]
    return Figures(
        affected=int(affected or 0),
        updated=int(updated or 0),
        first_update_at=first,
        since_opening=first - incident.created_at if first else None,
        since_alert=first - alert.started_at if first and alert is not None else None,
        before=_share(session, [*mentions, *([Mention.created_at < first] if first else [])]),
        after=_share(session, [*mentions, Mention.created_at >= first]) if first else None,
    )


def _share(session: Session, where: list[ColumnElement[bool]]) -> Share:
    negative, total = session.execute(
        select(func.count().filter(Mention.sentiment == "negative"), func.count()).where(*where)
    ).one()
    return Share(int(negative), int(total))
