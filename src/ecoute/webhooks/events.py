"""Queueing events for delivery, inside the ingest transaction: cheap, and never a network call.

``enqueue_high_priority`` is an ``IngestOptions.after_store`` hook. Each conversation that reaches
an endpoint's threshold is queued once per endpoint (the event id is unique per endpoint), so a
re-run, or a later mention in the same conversation, never sends it twice.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ecoute.inbox.queries import top_mentions
from ecoute.store.models import Author, Conversation, Mention, Workspace
from ecoute.store.people import WebhookDelivery, WebhookEndpoint
from ecoute.store.types import utcnow
from ecoute.webhooks.endpoints import HIGH_PRIORITY

logger = logging.getLogger(__name__)
_CHUNK = 500


def enqueue_high_priority(session: Session, workspace_id: int, mention_ids: list[int]) -> None:
    """Queue ``conversation.high_priority`` for the conversations of these new mentions that are at
    or above an enabled endpoint's ``min_priority`` (an ``IngestOptions.after_store`` hook)."""
    hooks = [
        e
        for e in session.scalars(
            select(WebhookEndpoint).where(
                WebhookEndpoint.workspace_id == workspace_id, WebhookEndpoint.enabled.is_(True)
            )
        )
        if HIGH_PRIORITY in (e.events or [])
    ]
    if not hooks or not mention_ids:
        return
    conversations = _conversations_at_least(
        session, workspace_id, mention_ids, min(h.min_priority for h in hooks)
    )
    if not conversations:
        return
    workspace = session.get(Workspace, workspace_id)
    payloads = _payloads(session, workspace, conversations)
    now = utcnow()
    rows = [
        {
            "workspace_id": workspace_id,
            "endpoint_id": hook.id,
            "event": HIGH_PRIORITY,
            "event_id": f"{HIGH_PRIORITY}:{c.id}",
            "payload": payloads[c.id],
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for hook in hooks
        for c in conversations
        if c.priority >= hook.min_priority
    ]
    queued = queue_deliveries(session, workspace_id, rows)
    logger.info("webhook.queued", extra={"workspace_id": workspace_id, "deliveries": queued})


def subscribed(session: Session, workspace_id: int, event: str) -> list[WebhookEndpoint]:
    """The workspace's enabled endpoints that asked for ``event``."""
    query = select(WebhookEndpoint).where(
        WebhookEndpoint.workspace_id == workspace_id, WebhookEndpoint.enabled.is_(True)
    )
    return [e for e in session.scalars(query) if event in (e.events or [])]


def queue_deliveries(session: Session, workspace_id: int, rows: list[dict[str, Any]]) -> int:
    """Insert these ``webhook_deliveries`` rows, skipping any whose (endpoint, event id) is already
    there (an event is sent once per endpoint), and have them sent once the transaction commits."""
    insert = (postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert)(
        WebhookDelivery.__table__
    )
    result = session.execute(
        insert.on_conflict_do_nothing(index_elements=["endpoint_id", "event_id"]).returning(
            WebhookDelivery.__table__.c.id
        ),
        rows,
    )
    queued = len(result.all())
    if queued:
        from ecoute.webhooks.jobs import deliver_soon

        deliver_soon(session, workspace_id)
    return queued


def _conversations_at_least(
    session: Session, workspace_id: int, mention_ids: list[int], threshold: int
) -> list[Conversation]:
    ids: set[int] = set()
    for start in range(0, len(mention_ids), _CHUNK):
        chunk = mention_ids[start : start + _CHUNK]
        ids.update(
            session.scalars(
                select(Mention.conversation_id).where(
                    Mention.workspace_id == workspace_id, Mention.id.in_(chunk)
                )
            )
        )
    found: list[Conversation] = []
    ordered = sorted(ids)
    for start in range(0, len(ordered), _CHUNK):
        found.extend(
            session.scalars(
                select(Conversation).where(
                    Conversation.workspace_id == workspace_id,
                    Conversation.id.in_(ordered[start : start + _CHUNK]),
                    Conversation.priority >= threshold,
                )
            )
        )
    return sorted(found, key=lambda c: c.id)


def _payloads(
    session: Session, workspace: Workspace | None, conversations: list[Conversation]
) -> dict[int, dict[str, Any]]:
    """The event body, frozen when queued: what the conversation looked like when it became urgent."""
    workspace_id = conversations[0].workspace_id
    tops = top_mentions(session, workspace_id, [c.id for c in conversations])
    author_ids = {c.author_id for c in conversations if c.author_id}
    authors = {
        a.id: a
        for a in session.scalars(
            select(Author).where(Author.workspace_id == workspace_id, Author.id.in_(author_ids))
        )
    }
    slug = workspace.slug if workspace else ""
    return {
        c.id: _payload(
            c, slug, workspace.name if workspace else "", tops.get(c.id), authors.get(c.author_id or 0)
        )
        for c in conversations
    }


def _payload(
    c: Conversation, slug: str, name: str, top: Mention | None, author: Author | None
) -> dict[str, Any]:
    reasons = [str(r) for r in (top.reasons if top else [])]
    return {
        "id": f"{HIGH_PRIORITY}:{c.id}",
        "type": HIGH_PRIORITY,
        "created_at": utcnow().isoformat(),
        "workspace": {"slug": slug, "name": name},
        # Slack and compatible chat tools show ``text`` as the message.
        "text": f"Écoute · {name}: priority {c.priority} conversation on {c.platform}"
        + (f" ({' · '.join(reasons)})" if reasons else ""),
        "conversation": {
            "id": c.id,
            "path": f"/w/{slug}/c/{c.id}",
            "platform": c.platform,
            "status": c.status,
            "priority": c.priority,
            "needs_reply": c.needs_reply,
            "mention_count": c.mention_count,
            "last_mention_at": c.last_mention_at.isoformat(),
            "reasons": reasons,
            "author": None
            if author is None
            else {
                "handle": author.handle,
                "display_name": author.display_name,
                "followers": author.followers,
            },
            "mention": None
            if top is None
            else {
                "id": top.id,
                "text": top.text,
                "url": top.url,
                "lang": top.lang,
                "sentiment": top.sentiment,
                "intent": top.intent,
                "created_at": top.created_at.isoformat(),
            },
        },
    }
