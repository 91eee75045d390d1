"""Erasing a person (a GDPR erasure request): the one case where something a customer wrote is
removed. What stays is what the desk's figures need, with nothing left that points at the person.

- their mentions: text replaced by ``ERASED``; URL, raw payload, analysis details and reasons
  cleared; the platform's id replaced by a pseudonym (everywhere it is referenced as a parent or
  thread), so the post cannot be found again on the platform; labels (sentiment, intent,
  priority) and dates kept for the metrics;
- their author rows: handle replaced by a pseudonym, display name, followers and badge cleared;
- their conversations' keys (which hold the handle or the post id) pseudonymised;
- the team's replies to them and notes on their conversations: text replaced by ``ERASED``, and
  the copies of those texts kept in the audit log and in queued webhook payloads;
- other posts, replies and notes of the workspace that name ``@handle``: the handle replaced by the
  pseudonym;
- the full-text index follows (triggers on SQLite, a generated column on PostgreSQL); the caller
  then runs ``scrub_free_pages`` so SQLite does not keep the old text in free pages or its WAL.

The erasure is written to the audit log under the pseudonym (never the handle). Backups made
before it still hold the data: see docs/deploy.md.
"""

from __future__ import annotations

import logging
import re
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from ecoute.privacy.export import notes_about, replies_to
from ecoute.privacy.person import Person, pseudonym
from ecoute.store.db import Database
from ecoute.store.models import AuditEvent, Mention, Reply
from ecoute.store.people import Note, WebhookDelivery
from ecoute.store.reply_models import ReplyState
from ecoute.store.repo import record_audit
from ecoute.topics.workspace import forget_mentions

logger = logging.getLogger(__name__)
ERASED = "[erased]"
_TEXT_KEYS = ("text", "note")


@dataclass
class ErasureReport:
    pseudonym: str
    authors: int = 0
    mentions: int = 0
    conversations: int = 0
    replies: int = 0
    notes: int = 0
    audit_events: int = 0
    webhook_deliveries: int = 0
    handle_replaced_in: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def erase_person(
    session: Session, workspace_id: int, person: Person, *, secret_key: str, actor: str
) -> ErasureReport:
    alias = pseudonym(secret_key, workspace_id, person.handle)
    report = ErasureReport(pseudonym=alias)
    if session.get_bind().dialect.name == "sqlite":  # the pages the old text leaves are zeroed
        session.connection().exec_driver_sql("PRAGMA secure_delete=ON")
    replies, notes = replies_to(session, workspace_id, person), notes_about(session, workspace_id, person)
    ids = _PersonIds(person, replies, notes)
    _erase_mentions(session, workspace_id, person, secret_key, report)
    _erase_authors(person, alias, report)
    _erase_conversations(session, workspace_id, person, alias, secret_key)
    _erase_team_texts(session, workspace_id, replies, notes, report)
    report.audit_events = _scrub_audit(session, workspace_id, ids)
    report.webhook_deliveries = _scrub_deliveries(session, workspace_id, set(person.own_conversation_ids))
    report.handle_replaced_in = _replace_handle(session, workspace_id, person.handle, alias)
    record_audit(
        session,
        workspace_id,
        actor=actor,
        action="privacy.erase",
        target_type="person",
        target_id=alias,
        after={k: v for k, v in report.as_dict().items() if k != "pseudonym"},
    )
    logger.info("privacy.erased", extra={"workspace_id": workspace_id, **report.as_dict()})
    return report


@dataclass(frozen=True)
class _PersonIds:
    mentions: set[str]
    conversations: set[str]
    replies: set[str]
    notes: set[int]

    def __init__(self, person: Person, replies: list[Reply], notes: list[Note]) -> None:
        object.__setattr__(self, "mentions", {str(i) for i in person.mention_ids})
        object.__setattr__(self, "conversations", {str(i) for i in person.own_conversation_ids})
        object.__setattr__(self, "replies", {str(r.id) for r in replies})
        object.__setattr__(self, "notes", {n.id for n in notes})


def _erase_mentions(
    session: Session, workspace_id: int, person: Person, secret_key: str, report: ErasureReport
) -> None:
    renamed: dict[tuple[str, str], str] = {}
    for mention in person.mentions:
        new_id = pseudonym(secret_key, workspace_id, f"{mention.platform}:{mention.external_id}")
        renamed[(mention.platform, mention.external_id)] = new_id
        mention.text, mention.url, mention.raw, mention.analysis = ERASED, None, {}, {}
        mention.reasons, mention.external_id = [], new_id
        report.mentions += 1
    session.flush()
    forget_mentions(session, workspace_id, person.mention_ids)
    for (platform, old), new in renamed.items():  # replies to their posts keep pointing at them
        for column in (Mention.parent_external_id, Mention.thread_external_id):
            session.execute(
                update(Mention)
                .where(Mention.workspace_id == workspace_id, Mention.platform == platform, column == old)
                .values({column.key: new})
            )


def _erase_authors(person: Person, alias: str, report: ErasureReport) -> None:
    for author in person.authors:
        author.handle, author.display_name, author.followers, author.verified = alias, None, None, False
        report.authors += 1


def _erase_conversations(
    session: Session, workspace_id: int, person: Person, alias: str, secret_key: str
) -> None:
    for conversation in person.conversations:
        platform, kind, rest = (conversation.key.split(":", 2) + ["", ""])[:3]
        if kind == "author" and rest == person.handle:
            conversation.key = f"{platform}:author:{alias}"
        elif kind in ("thread", "item") and conversation.author_id in person.author_ids:
            conversation.key = f"{platform}:{kind}:{pseudonym(secret_key, workspace_id, conversation.key)}"
    session.flush()


def _erase_team_texts(
    session: Session, workspace_id: int, replies: list[Reply], notes: list[Note], report: ErasureReport
) -> None:
    for reply in replies:
        reply.text = ERASED
    reply_ids = [r.id for r in replies]
    if reply_ids:
        session.execute(
            update(ReplyState)
            .where(ReplyState.workspace_id == workspace_id, ReplyState.reply_id.in_(reply_ids))
            .values(submitted_text=None, review_note=None)
        )
    for note in notes:
        note.text = ERASED
    report.replies, report.notes = len(replies), len(notes)


def _scrubbed(document: dict[str, Any]) -> dict[str, Any]:
    return {k: (ERASED if k in _TEXT_KEYS and v else v) for k, v in (document or {}).items()}


def _scrub_audit(session: Session, workspace_id: int, ids: _PersonIds) -> int:
    """Audit rows that copied a text about the person (a reply submitted, a note added)."""
    events = session.scalars(
        select(AuditEvent).where(
            AuditEvent.workspace_id == workspace_id,
            or_(
                (AuditEvent.target_type == "reply") & AuditEvent.target_id.in_(ids.replies or {""}),
                (AuditEvent.target_type == "conversation")
                & AuditEvent.target_id.in_(ids.conversations or {""}),
                (AuditEvent.target_type == "mention") & AuditEvent.target_id.in_(ids.mentions or {""}),
            ),
        )
    )
    changed = 0
    for event in events:
        before, after = _scrubbed(event.before), _scrubbed(event.after)
        if (before, after) != (event.before, event.after):
            event.before, event.after = before, after
            changed += 1
    return changed


def _scrub_deliveries(session: Session, workspace_id: int, conversation_ids: set[int]) -> int:
    """Webhook payloads copy the author and the post: sent ones are dropped, queued ones scrubbed."""
    count = 0
    query = select(WebhookDelivery).where(WebhookDelivery.workspace_id == workspace_id)
    for delivery in session.scalars(query):
        conversation = dict((delivery.payload or {}).get("conversation") or {})
        if conversation.get("id") not in conversation_ids:
            continue
        count += 1
        if delivery.status != "pending":
            session.delete(delivery)
            continue
        conversation["author"] = None
        if conversation.get("mention"):
            conversation["mention"] = {**conversation["mention"], "text": ERASED, "url": None}
        delivery.payload = {**delivery.payload, "conversation": conversation, "text": ERASED}
    return count


def _replace_handle(session: Session, workspace_id: int, handle: str, alias: str) -> int:
    """``@handle`` in other people's posts and in the team's replies and notes becomes ``@alias``."""
    pattern = re.compile(rf"@{re.escape(handle)}(?![\w.-]*\w)", re.IGNORECASE)
    changed = 0
    for model in (Mention, Reply, Note):
        rows = session.scalars(
            select(model).where(model.workspace_id == workspace_id, model.text.ilike(f"%@{handle}%"))
        )
        for row in rows:
            new = pattern.sub(f"@{alias}", row.text)
            if new != row.text:
                row.text = new
                changed += 1
                if model is Mention:
                    forget_mentions(session, workspace_id, [row.id])
    return changed


def scrub_free_pages(db: Database) -> None:
    """After the erasure commits, on SQLite: merge the search index (its deleted entries go) and
    checkpoint the WAL into the file, with freed pages zeroed (``secure_delete``), so the old text
    survives nowhere in the files. PostgreSQL drops old row versions at its next (auto)vacuum."""
    if db.dialect != "sqlite":
        return
    with db.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA secure_delete=ON")
        connection.exec_driver_sql("INSERT INTO mentions_fts(mentions_fts) VALUES('optimize')")
        connection.commit()
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
