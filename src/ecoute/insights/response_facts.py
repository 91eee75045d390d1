"""One row per conversation that needed a reply: when it opened, what it was about, and who
answered it first and when — read with portable SQL (SQLite and PostgreSQL alike).

The definitions (also in ``docs/metrics.md``):

* a conversation *needs a reply* when at least one of its visible (not hidden) mentions was marked
  ``needs_reply`` by the analysis; its *opening mention* is the earliest such mention (by time,
  then id) and it *opened* at that mention's ``created_at``;
* its *first response* is the earliest reply with a ``sent_at`` at or after the opening (by
  ``sent_at``, then id); replies sent before the opening, and later replies, do not count;
* a conversation an agent marked as not needing a reply (``Conversation.needs_reply`` false) that
  got no first response is left out: the agent decided there was nothing to answer.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from ecoute.store.models import Brand, Conversation, Mention, MentionBrand, Reply, Source, User

_CHUNK = 500


@dataclass(frozen=True)
class ResponseFact:
    conversation_id: int
    opening_mention_id: int
    opened_at: datetime
    intent: str | None
    source: str | None
    first_reply_at: datetime | None
    replier_id: int | None
    assignee_id: int | None
    brands: tuple[str, ...] = field(default=())

    @property
    def answered(self) -> bool:
        return self.first_reply_at is not None

    @property
    def agent_id(self) -> int | None:
        """Who the conversation counts for: the first replier, else whoever it is assigned to."""
        return self.replier_id if self.answered else self.assignee_id


def response_facts(
    session: Session, workspace_id: int, *, since: datetime | None = None, until: datetime | None = None
) -> list[ResponseFact]:
    """The conversations that opened in ``[since, until)`` (UTC instants; open-ended when None)."""
    m, r, c = Mention, Reply, Conversation
    ranked = (
        select(
            m.id.label("mention_id"),
            m.conversation_id,
            m.created_at.label("opened_at"),
            m.intent,
            m.source_id,
            func.row_number()
            .over(partition_by=m.conversation_id, order_by=(m.created_at, m.id))
            .label("rank"),
        )
        .where(m.workspace_id == workspace_id, m.hidden.is_(False), m.needs_reply.is_(True))
        .subquery("ranked")
    )
    opening = select(ranked).where(ranked.c.rank == 1).subquery("opening")
    replies = (
        select(
            r.conversation_id,
            r.sent_at,
            r.author_user_id,
            func.row_number().over(partition_by=r.conversation_id, order_by=(r.sent_at, r.id)).label("rank"),
        )
        .join(opening, opening.c.conversation_id == r.conversation_id)
        .where(r.workspace_id == workspace_id, r.sent_at.is_not(None), r.sent_at >= opening.c.opened_at)
        .subquery("first_replies")
    )
    stmt = (
        select(
            opening.c.conversation_id,
            opening.c.mention_id,
            opening.c.opened_at,
            opening.c.intent,
            Source.name,
            replies.c.sent_at,
            replies.c.author_user_id,
            c.assignee_id,
        )
        .join(c, and_(c.id == opening.c.conversation_id, c.workspace_id == workspace_id))
        .outerjoin(replies, and_(replies.c.conversation_id == opening.c.conversation_id, replies.c.rank == 1))
        .outerjoin(Source, and_(Source.id == opening.c.source_id, Source.workspace_id == workspace_id))
        .where(or_(c.needs_reply.is_(True), replies.c.sent_at.is_not(None)))
        .order_by(opening.c.opened_at, opening.c.conversation_id)
    )
    if since is not None:
        stmt = stmt.where(opening.c.opened_at >= since)
    if until is not None:
        stmt = stmt.where(opening.c.opened_at < until)
    rows = session.execute(stmt).all()
    brands = mention_brands(session, workspace_id, [row[1] for row in rows])
    return [_fact(row, brands) for row in rows]


def _fact(row: Sequence[Any], brands: dict[int, tuple[str, ...]]) -> ResponseFact:
    conversation_id, mention_id, opened_at, intent, source, first_reply_at, replier_id, assignee_id = row
    return ResponseFact(
        conversation_id=conversation_id,
        opening_mention_id=mention_id,
        opened_at=opened_at,
        intent=intent,
        source=source,
        first_reply_at=first_reply_at,
        replier_id=replier_id,
        assignee_id=assignee_id,
        brands=brands.get(mention_id, ()),
    )


def mention_brands(
    session: Session, workspace_id: int, mention_ids: Sequence[int]
) -> dict[int, tuple[str, ...]]:
    """The names of the brands (and competitors) each mention is about, sorted."""
    found: dict[int, list[str]] = defaultdict(list)
    ids = sorted(set(mention_ids))
    for start in range(0, len(ids), _CHUNK):
        stmt = (
            select(MentionBrand.mention_id, Brand.name)
            .join(Brand, and_(Brand.id == MentionBrand.brand_id, Brand.workspace_id == workspace_id))
            .where(
                MentionBrand.workspace_id == workspace_id,
                MentionBrand.mention_id.in_(ids[start : start + _CHUNK]),
            )
        )
        for mention_id, name in session.execute(stmt):
            found[mention_id].append(name)
    return {mention_id: tuple(sorted(names)) for mention_id, names in found.items()}


def user_names(session: Session, workspace_id: int, user_ids: Sequence[int]) -> dict[int, str]:
    """Display names of the given users (their name, else their e-mail address).

    Users are not workspace-scoped: the ids come from this workspace's own replies and assignments.
    """
    ids = sorted({i for i in user_ids if i is not None})
    names: dict[int, str] = {}
    for start in range(0, len(ids), _CHUNK):
        for user_id, name, email in session.execute(
            select(User.id, User.name, User.email).where(User.id.in_(ids[start : start + _CHUNK]))
        ):
            names[user_id] = name or email
    return names
