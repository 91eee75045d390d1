"""A conversation laid out for reading: one timeline of what customers wrote, what the team
answered and the team's internal notes, with replies linked to the message they answer; and the
author's history with the workspace.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ecoute.inbox.queries import ConversationDetail, top_mentions
from ecoute.store.models import Author, Conversation, Mention, Reply, User
from ecoute.store.people import Correction, Note

MAX_DEPTH = 3  # deeper replies are drawn at this depth: a phone screen is narrow


@dataclass
class Entry:
    """One item of the timeline: exactly one of ``mention``, ``reply`` or ``note`` is set."""

    at: datetime
    mention: Mention | None = None
    reply: Reply | None = None
    note: Note | None = None
    user: User | None = None  # who wrote the note or the reply
    author: Author | None = None  # who wrote the mention (a thread has several)
    depth: int = 0
    parent: Mention | None = None  # the message a mention answers, when it is in the thread
    corrected: set[str] = field(default_factory=set)  # labels an agent has corrected


@dataclass
class Timeline:
    entries: list[Entry]
    hidden_count: int  # hidden mentions left out for people who may not see them


def timeline(
    session: Session, workspace_id: int, detail: ConversationDetail, *, show_hidden: bool
) -> Timeline:
    """Everything in the conversation, oldest first; replies indented under what they answer."""
    by_external = {m.external_id: m for m in detail.mentions}
    elsewhere = _parents_elsewhere(session, workspace_id, detail.mentions, by_external, hidden=show_hidden)
    depths: dict[int, int] = {}
    corrected = _corrected(session, workspace_id, [m.id for m in detail.mentions])
    authors = _authors(session, workspace_id, [m.author_id for m in detail.mentions])
    entries: list[Entry] = []
    hidden = 0
    for mention in detail.mentions:  # oldest first, so a parent's depth is known before its reply
        parent = by_external.get(mention.parent_external_id or "")
        parent = parent if parent is not None and parent.id != mention.id else None
        depth = min(depths.get(parent.id, 0) + 1, MAX_DEPTH) if parent else 0
        parent = parent or elsewhere.get((mention.platform, mention.parent_external_id or ""))
        depths[mention.id] = depth
        if mention.hidden and not show_hidden:
            hidden += 1
            continue
        entries.append(
            Entry(
                mention.created_at,
                mention=mention,
                depth=depth,
                parent=parent,
                corrected=corrected.get(mention.id, set()),
                author=authors.get(mention.author_id or 0),
            )
        )
    users = _users(session, [r.author_user_id for r in detail.replies])
    entries += [Entry(r.created_at, reply=r, user=users.get(r.author_user_id or 0)) for r in detail.replies]
    entries += [Entry(note.created_at, note=note, user=user) for note, user in detail.notes]
    entries.sort(key=lambda e: (e.at, 0 if e.mention else 1))
    return Timeline(entries, hidden)


def _parents_elsewhere(
    session: Session,
    workspace_id: int,
    mentions: Sequence[Mention],
    here: dict[str, Mention],
    *,
    hidden: bool,
) -> dict[tuple[str, str], Mention]:
    """The posts this conversation's messages answer that live in another conversation: a
    customer's reply under the brand's own post has a conversation of its own
    (``store.mentions.resolve_conversations``), and its reader still needs to see what it answers."""
    wanted = {(m.platform, m.parent_external_id) for m in mentions if m.parent_external_id}
    wanted = {(platform, parent) for platform, parent in wanted if parent not in here}
    if not wanted:
        return {}
    query = select(Mention).where(
        Mention.workspace_id == workspace_id,
        Mention.platform.in_({platform for platform, _ in wanted}),
        Mention.external_id.in_({parent for _, parent in wanted}),
    )
    if not hidden:  # the reader may not see hidden messages
        query = query.where(Mention.hidden.is_(False))
    found = {(m.platform, m.external_id): m for m in session.scalars(query)}
    return {key: mention for key, mention in found.items() if key in wanted}


def _corrected(session: Session, workspace_id: int, mention_ids: Sequence[int]) -> dict[int, set[str]]:
    if not mention_ids:
        return {}
    rows = session.execute(
        select(Correction.mention_id, Correction.field).where(
            Correction.workspace_id == workspace_id, Correction.mention_id.in_(list(mention_ids))
        )
    )
    found: dict[int, set[str]] = {}
    for mention_id, name in rows:
        found.setdefault(mention_id, set()).add(name)
    return found


def _authors(session: Session, workspace_id: int, ids: Sequence[int | None]) -> dict[int, Author]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = session.scalars(select(Author).where(Author.workspace_id == workspace_id, Author.id.in_(wanted)))
    return {a.id: a for a in rows}


def _users(session: Session, ids: Sequence[int | None]) -> dict[int, User]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {u.id: u for u in session.scalars(select(User).where(User.id.in_(wanted)))}


@dataclass(frozen=True)
class PastConversation:
    conversation: Conversation
    snippet: str


def author_history(
    session: Session, workspace_id: int, author_id: int | None, *, exclude: int, limit: int = 5
) -> list[PastConversation]:
    """The author's other conversations with the workspace, the most recent first."""
    if author_id is None:
        return []
    rows = list(
        session.scalars(
            select(Conversation)
            .where(
                Conversation.workspace_id == workspace_id,
                Conversation.author_id == author_id,
                Conversation.id != exclude,
            )
            .order_by(Conversation.last_mention_at.desc(), Conversation.id.desc())
            .limit(limit)
        )
    )
    tops = top_mentions(session, workspace_id, [c.id for c in rows])
    return [PastConversation(c, tops[c.id].text if c.id in tops else "") for c in rows]
