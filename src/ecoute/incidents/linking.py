"""Which conversations an incident affects: those of its alert's episode (or, for an impersonator,
the customers it answered), those matching its search terms (and brand) since it started, and
those an agent links by hand. Terms look back a day before the incident started: an incident is
usually opened by hand once the first complaints are in. While the incident is open, ``link_new``
adds the ones that arrived since; a conversation unlinked by hand stays out.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select
from sqlalchemy.orm import Session, aliased

from ecoute.store.models import Author, Brand, Conversation, Mention, MentionBrand
from ecoute.store.repo import NotFound, record_audit
from ecoute.store.types import utcnow
from ecoute.warn.explain import window
from ecoute.warn.models import Alert

from .models import Incident, IncidentLink

TERMS_LOOKBACK = timedelta(hours=24)
MAX_LINKED = 5000  # conversations linked in one pass: a bigger crisis is linked over several passes


def episode_conversations(session: Session, alert: Alert, now: datetime) -> list[int]:
    """The conversations of the alert's mentions; for an impersonator, those it answered."""
    if alert.kind == "impersonation":
        return contacted_conversations(session, alert.workspace_id, int(alert.details.get("author_id") or 0))
    since, until = window(alert, now)
    where = [
        Mention.workspace_id == alert.workspace_id,
        Mention.hidden.is_(False),
        Mention.created_at >= since,
        Mention.created_at < until,
        # The people a spike affects are those it hurt: unhappy or complaining, not every post.
        or_(Mention.sentiment == "negative", Mention.intent == "complaint"),
    ]
    return _distinct(session, where, alert.workspace_id)


def contacted_conversations(session: Session, workspace_id: int, author_id: int) -> list[int]:
    """The conversations of the posts ``author_id`` answered, theirs excluded."""
    parent = aliased(Mention)
    rows = session.scalars(
        select(parent.conversation_id)
        .join(
            Mention,
            (Mention.parent_external_id == parent.external_id) & (Mention.platform == parent.platform),
        )
        .where(
            Mention.workspace_id == workspace_id,
            parent.workspace_id == workspace_id,
            Mention.author_id == author_id,
            parent.author_id != author_id,
        )
        .group_by(parent.conversation_id)
        .order_by(parent.conversation_id)
        .limit(MAX_LINKED)
    )
    return list(rows)


def term_conversations(session: Session, incident: Incident) -> list[int]:
    """Conversations with a mention since the incident started (or the day before) that says one of
    its terms (about its brand, when it has one)."""
    if not incident.terms:
        return []
    where: list[ColumnElement[bool]] = [
        Mention.workspace_id == incident.workspace_id,
        Mention.hidden.is_(False),
        Mention.created_at >= incident.started_at - TERMS_LOOKBACK,
        or_(
            false(),
            *(func.lower(Mention.text).contains(str(t).lower(), autoescape=True) for t in incident.terms),
        ),
    ]
    if incident.brand_id is not None:
        where.append(
            Mention.id.in_(
                select(MentionBrand.mention_id).where(
                    and_(
                        MentionBrand.workspace_id == incident.workspace_id,
                        MentionBrand.brand_id == incident.brand_id,
                    )
                )
            )
        )
    return _distinct(session, where, incident.workspace_id)


def own_authors(session: Session, workspace_id: int) -> Select[tuple[int]]:
    """The brand's own accounts (its declared handles): never among the people affected."""
    handles = set()
    for declared in session.scalars(
        select(Brand.handles).where(Brand.workspace_id == workspace_id, Brand.competitor_of_id.is_(None))
    ):
        handles |= {str(h).split(":", 1)[-1].lstrip("@").lower() for h in declared or ()}
    return select(Author.id).where(
        Author.workspace_id == workspace_id, func.lower(Author.handle).in_(handles)
    )


def _distinct(session: Session, where: list[ColumnElement[bool]], workspace_id: int) -> list[int]:
    where = [
        *where,
        or_(Mention.author_id.is_(None), Mention.author_id.not_in(own_authors(session, workspace_id))),
    ]
    rows = session.scalars(
        select(Mention.conversation_id)
        .where(*where)
        .group_by(Mention.conversation_id)
        .order_by(Mention.conversation_id)
        .limit(MAX_LINKED)
    )
    return list(rows)


def known(session: Session, incident: Incident) -> set[int]:
    """Every conversation the incident has seen, unlinked ones included."""
    return set(
        session.scalars(
            select(IncidentLink.conversation_id).where(
                IncidentLink.workspace_id == incident.workspace_id, IncidentLink.incident_id == incident.id
            )
        )
    )


def add_links(session: Session, incident: Incident, conversation_ids: Iterable[int], how: str) -> int:
    """Link the conversations not seen yet; returns how many were linked."""
    seen = known(session, incident)
    new = [cid for cid in dict.fromkeys(conversation_ids) if cid not in seen]
    now = utcnow()
    session.add_all(
        IncidentLink(
            incident_id=incident.id,
            conversation_id=cid,
            workspace_id=incident.workspace_id,
            how=how,
            linked_at=now,
        )
        for cid in new
    )
    session.flush()
    return len(new)


def link_new(session: Session, incident: Incident, now: datetime | None = None) -> int:
    """Link what matches the incident now (its alert's episode, its terms); open incidents only."""
    if incident.status == "resolved":
        return 0
    now = now or utcnow()
    linked = 0
    alert = session.get(Alert, incident.alert_id) if incident.alert_id else None
    if alert is not None and alert.workspace_id == incident.workspace_id:
        how = "contacted" if alert.kind == "impersonation" else "alert"
        linked += add_links(session, incident, episode_conversations(session, alert, now), how)
    linked += add_links(session, incident, term_conversations(session, incident), "terms")
    return linked


def linked_ids(session: Session, incident: Incident) -> list[int]:
    return list(
        session.scalars(
            select(IncidentLink.conversation_id)
            .where(
                IncidentLink.workspace_id == incident.workspace_id,
                IncidentLink.incident_id == incident.id,
                IncidentLink.removed.is_(False),
            )
            .order_by(IncidentLink.conversation_id)
        )
    )


def link_by_hand(
    session: Session, incident: Incident, conversation_id: int, *, linked: bool, actor: str
) -> None:
    """Link (or unlink) one conversation of the workspace; audited."""
    conversation = session.scalar(
        select(Conversation.id).where(
            Conversation.workspace_id == incident.workspace_id, Conversation.id == conversation_id
        )
    )
    if conversation is None:
        raise NotFound(f"no conversation #{conversation_id} in this workspace")
    link = session.get(IncidentLink, (incident.id, conversation_id))
    if link is None and linked:
        session.add(
            IncidentLink(
                incident_id=incident.id,
                conversation_id=conversation_id,
                workspace_id=incident.workspace_id,
                how="hand",
            )
        )
    elif link is not None:
        link.removed = not linked
    session.flush()
    record_audit(
        session,
        incident.workspace_id,
        actor=actor,
        action="incident.link" if linked else "incident.unlink",
        target_type="incident",
        target_id=incident.id,
        after={"conversation_id": conversation_id},
    )


def incidents_of(session: Session, workspace_id: int, conversation_id: int) -> list[Incident]:
    """The incidents a conversation is linked to (for the conversation page)."""
    return list(
        session.scalars(
            select(Incident)
            .join(IncidentLink, IncidentLink.incident_id == Incident.id)
            .where(
                IncidentLink.workspace_id == workspace_id,
                Incident.workspace_id == workspace_id,
                IncidentLink.conversation_id == conversation_id,
                IncidentLink.removed.is_(False),
            )
            .order_by(Incident.id)
        )
    )
