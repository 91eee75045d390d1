"""Everything a workspace holds about one person, as a JSON-ready document (a GDPR access request).

Included: their author rows, every mention they wrote (with its analysis and the platform's raw
payload), the conversations they took part in (status, tags), the team's replies to them (in their
own conversations, or answering one of their mentions) and the internal notes on their own
conversations (the team's words, but about them). Not included: other people's posts that name
them (those are the other writers' data; ``erase`` still replaces the handle in them).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ecoute.privacy.person import Person, pseudonym
from ecoute.store.models import Conversation, ConversationTag, Mention, Reply, Tag, Workspace
from ecoute.store.people import Note
from ecoute.store.repo import record_audit
from ecoute.store.types import utcnow

FORMAT_VERSION = 1


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def replies_to(session: Session, workspace_id: int, person: Person) -> list[Reply]:
    """The team's replies in the person's own conversations or answering one of their mentions."""
    conditions = [Reply.conversation_id.in_(person.own_conversation_ids)]
    if person.mention_ids:
        conditions.append(Reply.in_reply_to_id.in_(person.mention_ids))
    query = select(Reply).where(Reply.workspace_id == workspace_id, or_(*conditions))
    return list(session.scalars(query.order_by(Reply.id)))


def notes_about(session: Session, workspace_id: int, person: Person) -> list[Note]:
    query = select(Note).where(
        Note.workspace_id == workspace_id, Note.conversation_id.in_(person.own_conversation_ids)
    )
    return list(session.scalars(query.order_by(Note.id)))


def _mention(m: Mention) -> dict[str, Any]:
    return {
        "id": m.id,
        "platform": m.platform,
        "external_id": m.external_id,
        "url": m.url,
        "text": m.text,
        "kind": m.kind,
        "rating": m.rating,
        "created_at": _iso(m.created_at),
        "collected_at": _iso(m.collected_at),
        "conversation_id": m.conversation_id,
        "parent_external_id": m.parent_external_id,
        "likes": m.likes,
        "shares": m.shares,
        "replies": m.replies_count,
        "analysis": {
            "lang": m.lang,
            "sentiment": m.sentiment,
            "sentiment_score": m.sentiment_score,
            "intent": m.intent,
            "needs_reply": m.needs_reply,
            "priority": m.priority,
            "reasons": list(m.reasons or []),
        },
        "hidden": m.hidden,
        "raw": m.raw,
    }


def _conversations(session: Session, workspace_id: int, conversations: list[Conversation]) -> list[dict]:
    ids = [c.id for c in conversations]
    tags: dict[int, list[str]] = {}
    rows = session.execute(
        select(ConversationTag.conversation_id, Tag.name)
        .join(Tag, Tag.id == ConversationTag.tag_id)
        .where(ConversationTag.workspace_id == workspace_id, ConversationTag.conversation_id.in_(ids))
    )
    for conversation_id, name in rows:
        tags.setdefault(conversation_id, []).append(name)
    return [
        {
            "id": c.id,
            "platform": c.platform,
            "status": c.status,
            "priority": c.priority,
            "first_mention_at": _iso(c.first_mention_at),
            "last_mention_at": _iso(c.last_mention_at),
            "tags": sorted(tags.get(c.id, [])),
        }
        for c in conversations
    ]


def export_person(session: Session, workspace: Workspace, person: Person) -> dict[str, Any]:
    return {
        "format": FORMAT_VERSION,
        "exported_at": utcnow().isoformat(),
        "workspace": workspace.slug,
        "person": {"handle": person.handle, "platform": person.platform},
        "authors": [
            {
                "platform": a.platform,
                "handle": a.handle,
                "display_name": a.display_name,
                "followers": a.followers,
                "verified": a.verified,
                "updated_at": _iso(a.updated_at),
            }
            for a in person.authors
        ],
        "mentions": [_mention(m) for m in person.mentions],
        "conversations": _conversations(session, workspace.id, person.conversations),
        "replies_to_them": [
            {
                "id": r.id,
                "conversation_id": r.conversation_id,
                "in_reply_to_mention_id": r.in_reply_to_id,
                "text": r.text,
                "status": r.status,
                "created_at": _iso(r.created_at),
                "sent_at": _iso(r.sent_at),
            }
            for r in replies_to(session, workspace.id, person)
        ],
        "notes_about_them": [
            {
                "id": n.id,
                "conversation_id": n.conversation_id,
                "text": n.text,
                "created_at": _iso(n.created_at),
            }
            for n in notes_about(session, workspace.id, person)
        ],
    }


def audit_export(session: Session, workspace_id: int, person: Person, *, actor: str, secret_key: str) -> None:
    """Recorded under the person's pseudonym: the audit log must not keep who asked for their data
    after they are erased."""
    record_audit(
        session,
        workspace_id,
        actor=actor,
        action="privacy.export",
        target_type="person",
        target_id=pseudonym(secret_key, workspace_id, person.handle),
        after={"mentions": len(person.mentions), "platform": person.platform},
    )
