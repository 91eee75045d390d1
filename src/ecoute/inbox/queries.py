"""The inbox's reads, shared by the web pages and the REST API: the filtered, priority-ordered
list of conversations (keyset pages) and one conversation with its thread.

Every query is scoped to one workspace. The list walks ``ix_conversations_ws_order`` in
(priority, last mention, id) order, so the first page costs the same on 1,000 or 1,000,000
mentions. Sentiment, intent and language filter on the conversation's summary (the labels of its
top mention, which the row shows); source and brand are correlated EXISTS probes on
``ix_mentions_ws_conversation``; search picks its plan by how many mentions match
(``ecoute.inbox.search``), and so does "due soon" (``_deadline``). Measured by
benchmarks/inbox_speed.py.
"""

from __future__ import annotations

import hashlib
import json
from collections import namedtuple
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from itertools import accumulate
from typing import Any

from sqlalchemy import Integer, Select, and_, bindparam, exists, func, literal, select, tuple_
from sqlalchemy.orm import Session

from ecoute.inbox import cursor as cursors
from ecoute.inbox import search
from ecoute.inbox.cursor import InvalidCursor, Position
from ecoute.keep_time.deadlines import KeepTime, deadline_state_condition, due_soon_candidates
from ecoute.keep_time.targets import BreachState
from ecoute.store.models import (
    CONVERSATION_STATUSES,
    Author,
    Conversation,
    ConversationTag,
    Mention,
    MentionBrand,
    Reply,
    Tag,
    User,
    Workspace,
)
from ecoute.store.people import Note
from ecoute.store.repo import Invalid, NotFound
from ecoute.store.types import DIALECTS, among_ids, utcnow
from ecoute.topics.models import MentionTopic

__all__ = ["InboxFilters", "InboxRow", "Page", "ConversationDetail", "InvalidCursor"]
MAX_LIMIT = 200
# Up to this many waiting mentions in the due-soon windows, "due soon" checks their conversations
# rather than walk the inbox order (``_deadline``). On a million mentions, reading and checking
# them costs about 10 µs each on either database; the walk, when few conversations are due
# soon, reads every open one: 0.5 s on SQLite, 1 s on PostgreSQL.
FEW_DUE_SOON: dict[str, int] = {"sqlite": 5_000, "postgresql": 8_000}
# The deadline filter's values and the states of the first-response clock each one shows.
DEADLINE_FILTERS: dict[str, tuple[BreachState, ...]] = {
    "breached": (BreachState.BREACHED,),
    "due_soon": (BreachState.DUE_SOON,),
    "at_risk": (BreachState.DUE_SOON, BreachState.BREACHED),
}


@dataclass(frozen=True)
class InboxFilters:
    """What to show; every field left empty means "any". ``unassigned`` wins over ``assignee_id``."""

    status: tuple[str, ...] = ()
    assignee_id: int | None = None
    unassigned: bool = False
    source_id: int | None = None
    platform: str | None = None
    sentiment: str | None = None
    intent: str | None = None
    lang: str | None = None
    brand_id: int | None = None
    tag_id: int | None = None
    needs_reply: bool | None = None
    since: datetime | None = None  # last mention at or after
    until: datetime | None = None  # last mention before
    q: str | None = None  # full-text search over mention text
    deadline: str | None = None  # first-response deadline: breached, due_soon or at_risk (either)
    topic_id: int | None = None  # holding a mention of this topic (``ecoute.topics``)
    # True: the dates, platform, sentiment, language and brand select mentions, and the list holds
    # the conversations with at least one mention matching them all (Insights' drill-downs).
    by_mention: bool = False

    def __post_init__(self) -> None:
        unknown = set(self.status) - set(CONVERSATION_STATUSES)
        if unknown:
            raise Invalid(f"status {sorted(unknown)[0]!r}: use {', '.join(CONVERSATION_STATUSES)}")
        if self.deadline is not None and self.deadline not in DEADLINE_FILTERS:
            raise Invalid(f"deadline {self.deadline!r}: use {', '.join(DEADLINE_FILTERS)}")
        for name in ("since", "until"):
            value = getattr(self, name)
            if value is not None and value.tzinfo is None:
                raise Invalid(f"{name}: give a date with a time zone")

    def fingerprint(self) -> str:
        """A stable digest of the filters (cursors are bound to it)."""
        data = json.dumps(asdict(self), sort_keys=True, default=str)
        return hashlib.sha256(data.encode("utf-8")).hexdigest()[:16]


@dataclass
class InboxRow:
    """One conversation of a list with what its row shows. A list's rows hold plain rows read with
    the models' attribute names (``LIST_CONVERSATION`` and the like), one conversation's its ORM
    instances: either answers the same attributes."""

    conversation: Conversation | Any
    author: Author | Any | None
    top_mention: Mention | Any | None
    assignee: User | Any | None
    tags: list[Tag] | list[Any] = field(default_factory=list)

    @property
    def reasons(self) -> list[Any]:
        return list(self.top_mention.reasons) if self.top_mention else []


@dataclass
class Page:
    rows: list[InboxRow]
    next_cursor: str | None


@dataclass
class ConversationDetail:
    conversation: Conversation
    author: Author | None
    mentions: list[Mention]  # the whole thread, oldest first, hidden ones included (flagged)
    replies: list[Reply]
    notes: list[tuple[Note, User | None]]
    tags: list[Tag]
    assignee: User | None
    author_conversations: int  # the author's conversations with this workspace (history)
    author_mentions: int


def list_conversations(
    session: Session,
    workspace_id: int,
    filters: InboxFilters,
    *,
    cursor: str | None,
    limit: int,
    secret: str,
    now: datetime | None = None,
) -> Page:
    """One page of conversations, priority first, then the most recent; ``secret`` signs cursors.
    ``now`` is the moment the deadline filter judges clocks at (default: the current time)."""
    if not 1 <= limit <= MAX_LIMIT:
        raise Invalid(f"limit must be between 1 and {MAX_LIMIT}")
    scope = f"{workspace_id}:{filters.fingerprint()}"
    c = Conversation
    where = _scope(session, workspace_id, filters, now or utcnow())
    stmt = _filtered(select(*LIST_CONVERSATION).where(*where), workspace_id, filters)
    if cursor:
        after = cursors.decode(secret, scope, cursor)
        stmt = stmt.where(tuple_(c.priority, c.last_mention_at, c.id) < _position_tuple(after))
    stmt = stmt.order_by(c.priority.desc(), c.last_mention_at.desc(), c.id.desc()).limit(limit + 1)
    found = [LIST_ROW_TYPES[0]._make(row) for row in _plain(session, stmt)]
    more, rows = len(found) > limit, _rows(session, workspace_id, found[:limit])
    next_cursor = None
    if more:
        last = rows[-1].conversation
        next_cursor = cursors.encode(secret, scope, Position(last.priority, last.last_mention_at, last.id))
    return Page(rows=rows, next_cursor=next_cursor)


def _position_tuple(position: Position) -> Any:
    c = Conversation
    return tuple_(
        literal(position.priority, c.priority.type),
        literal(position.last_mention_at, c.last_mention_at.type),
        literal(position.id, c.id.type),
    )


def _scope(session: Session, workspace_id: int, f: InboxFilters, now: datetime) -> list[Any]:
    """The workspace, and what the search and the deadline filter match when asked."""
    c = Conversation
    probes: list[Any] = []
    among: set[int] | None = None  # the few conversations that can match, when known
    if f.q and f.q.strip():
        plan = search.plan_search(session, workspace_id, f.q)
        if plan.conversation_ids is None:
            probes.append(plan.probe)
        else:
            among = set(plan.conversation_ids)
    if f.deadline:
        condition, candidates = _deadline(session, workspace_id, f.deadline, now)
        probes.append(condition)
        if candidates is not None:
            among = set(candidates) if among is None else among & set(candidates)
    if among is None:
        return [c.workspace_id == workspace_id, *probes]
    # Few candidates: fetch them by id and sort them, rather than walk the inbox order (to save
    # that sort) past every other conversation of the workspace.
    return [_same_workspace(c, workspace_id), _among(session, c.id, sorted(among)), *probes]


def _among(session: Session, column: Any, ids: list[int]) -> Any:
    # One array parameter on PostgreSQL: thousands of separate ones cost more than the query itself.
    return among_ids(column, "among", session.get_bind().dialect.name, ids)


def _same_workspace(model: Any, workspace_id: int) -> Any:
    """``workspace_id = ?`` written so no index can serve it (``+ 0``), for rows fetched by id:
    without statistics SQLite (and PostgreSQL, to save a sort) would otherwise walk a workspace
    index past hundreds of thousands of rows rather than look a few dozen ids up."""
    return (model.workspace_id + 0) == workspace_id


def _filtered(stmt: Select[Any], workspace_id: int, f: InboxFilters) -> Select[Any]:
    if f.by_mention:
        return _by_mention(stmt, workspace_id, f)
    c = Conversation
    if f.status:
        stmt = stmt.where(c.status.in_(f.status))
    if f.unassigned:
        stmt = stmt.where(c.assignee_id.is_(None))
    elif f.assignee_id is not None:
        stmt = stmt.where(c.assignee_id == f.assignee_id)
    if f.platform:
        stmt = stmt.where(c.platform == f.platform)
    if f.needs_reply is not None:
        stmt = stmt.where(c.needs_reply.is_(f.needs_reply))
    if f.since:
        stmt = stmt.where(c.last_mention_at >= f.since)
    if f.until:
        stmt = stmt.where(c.last_mention_at < f.until)
    if f.tag_id is not None:
        stmt = stmt.where(
            exists().where(
                ConversationTag.conversation_id == c.id,
                ConversationTag.workspace_id == workspace_id,
                ConversationTag.tag_id == f.tag_id,
            )
        )
    for value, column in ((f.sentiment, c.sentiment), (f.intent, c.intent), (f.lang, c.lang)):
        if value is not None:
            stmt = stmt.where(column == value)
    if f.source_id is not None:
        stmt = stmt.where(_has_mention(select(Mention.id), workspace_id, Mention.source_id == f.source_id))
    if f.topic_id is not None:
        in_topic = select(Mention.id).join(MentionTopic, MentionTopic.mention_id == Mention.id)
        stmt = stmt.where(_has_mention(in_topic, workspace_id, MentionTopic.topic_id == f.topic_id))
    if f.brand_id is not None:
        # Joined from the conversation's mentions, so each probe reads a few rows by key; walking
        # the brand's links instead costs seconds when the brand has hundreds of thousands.
        linked = select(Mention.id).join(MentionBrand, MentionBrand.mention_id == Mention.id)
        stmt = stmt.where(_has_mention(linked, workspace_id, MentionBrand.brand_id == f.brand_id))
    return stmt


def _by_mention(stmt: Select[Any], workspace_id: int, f: InboxFilters) -> Select[Any]:
    """The conversations holding a visible mention that matches the dates, platform, sentiment,
    language and brand together; status, assignee, tag and intent still apply to the conversation."""
    m = Mention
    conditions: list[Any] = [m.hidden.is_(False)]
    if f.since:
        conditions.append(m.created_at >= f.since)
    if f.until:
        conditions.append(m.created_at < f.until)
    for value, column in ((f.platform, m.platform), (f.sentiment, m.sentiment), (f.lang, m.lang)):
        if value is not None:
            conditions.append(column == value)
    probe = select(m.id)
    if f.brand_id is not None:
        probe = probe.join(MentionBrand, MentionBrand.mention_id == m.id)
        conditions.append(MentionBrand.brand_id == f.brand_id)
    if f.topic_id is not None:
        probe = probe.join(MentionTopic, MentionTopic.mention_id == m.id)
        conditions.append(MentionTopic.topic_id == f.topic_id)
    stmt = stmt.where(_has_mention(probe, workspace_id, *conditions))
    rest = replace(f, by_mention=False, since=None, until=None, platform=None, sentiment=None, lang=None)
    return _filtered(stmt, workspace_id, replace(rest, brand_id=None, topic_id=None))


def _deadline(session: Session, workspace_id: int, value: str, now: datetime) -> tuple[Any, list[int] | None]:
    """Conversations whose first-response clock is in the filter's states at ``now``: an exact SQL
    condition (the latest clock start per priority band, ``ecoute.keep_time.deadlines``), and for
    "due soon" the few conversations that can be (None when they are not few).

    Breached clocks are most of a busy inbox's waiting ones, so probing each conversation in inbox
    order fills a page soon. Due-soon ones can be none at all, and that walk then reads every open
    conversation; but their clocks started inside a short window per band, whose mentions an index
    reads (``due_soon_candidates``). Past ``FEW_DUE_SOON`` of them (a busy weekend), reading them
    all costs more than a page should, and so many waiting messages usually mean many
    conversations due soon, which the walk finds early."""
    workspace = session.get(Workspace, workspace_id)
    if workspace is None:
        raise NotFound(f"no workspace #{workspace_id}")
    keep_time = KeepTime.of(workspace)
    condition = deadline_state_condition(workspace_id, keep_time, now, DEADLINE_FILTERS[value])
    if value != "due_soon":
        return condition, None
    dialect = session.get_bind().dialect.name
    limit = FEW_DUE_SOON.get(dialect, FEW_DUE_SOON["sqlite"])
    return condition, due_soon_candidates(session, workspace_id, keep_time, now, limit=limit)


def _has_mention(query: Select[Any], workspace_id: int, *conditions: Any) -> Any:
    return exists(
        query.where(
            Mention.workspace_id == workspace_id, Mention.conversation_id == Conversation.id, *conditions
        )
    )


def _details(dialect: str) -> Select[Any]:
    """For the conversations ``:list_ids`` of the workspace ``:list_workspace_id``: the mention
    each one's summary names, its author and its assignee, joined by key. Apart from the page's own
    statement, so that its plan (a filter, a sort, a limit) stays as it is, and this one looks up
    fifty ids. Built once: seventy columns cost more to assemble than to read."""
    c, m, a, u = Conversation, Mention, Author, User
    workspace_id = bindparam("list_workspace_id", type_=Integer)
    return (
        select(c.id, *LIST_MENTION, *LIST_AUTHOR, *LIST_USER)
        .outerjoin(m, and_(m.id == c.top_mention_id, _same_workspace(m, workspace_id)))
        .outerjoin(a, and_(a.id == c.author_id, _same_workspace(a, workspace_id)))
        .outerjoin(u, u.id == c.assignee_id)
        .where(among_ids(c.id, "list_ids", dialect))
        .where(_same_workspace(c, workspace_id))
    )


def _rows(session: Session, workspace_id: int, conversations: list[Any]) -> list[InboxRow]:
    """The page's rows with what each shows, then their tags. A conversation without a usable top
    mention (no summary, or its top mention since hidden) falls back to ranking its mentions: the
    first inbox page holds the busiest threads, thousands of mentions that ranking would read."""
    if not conversations:
        return []
    ids = [c.id for c in conversations]
    params = {"list_workspace_id": workspace_id, "list_ids": ids}
    details = {row[0]: row for row in _plain(session, _DETAILS[session.get_bind().dialect.name], params)}
    rows = [_split(c, details[c.id]) for c in conversations]
    missing = [row.conversation.id for row in rows if row.top_mention is None]
    if missing:
        fallback = _plain(session, _top_of(select(*LIST_MENTION), workspace_id, missing))
        tops = {mention.conversation_id: LIST_ROW_TYPES[1]._make(mention) for mention in fallback}
        for row in rows:
            row.top_mention = row.top_mention or tops.get(row.conversation.id)
    tags = _tag_rows(session, workspace_id, ids, LIST_TAG)
    for row in rows:
        row.tags = tags.get(row.conversation.id, [])
    return rows


def _split(c: Any, row: Any) -> InboxRow:
    m = LIST_ROW_TYPES[1]._make(row[_ENDS[0] : _ENDS[1]])
    a, u = row[_ENDS[1]], row[_ENDS[2]]
    return InboxRow(
        conversation=c,
        author=LIST_ROW_TYPES[2]._make(row[_ENDS[1] : _ENDS[2]]) if a is not None else None,
        # The summary's mention, while it is still visible and in this conversation.
        top_mention=m if m.id is not None and not m.hidden and m.conversation_id == c.id else None,
        assignee=LIST_ROW_TYPES[3]._make(row[_ENDS[2] :]) if u is not None else None,
    )


def _all_columns(model: Any, *left_out: str) -> tuple[Any, ...]:
    return tuple(getattr(model, a.key) for a in model.__mapper__.column_attrs if a.key not in left_out)


# A list reads plain rows (named tuples with the models' attribute names), not ORM instances:
# building those cost a third of the list's CPU. It shows a mention's text, labels and reasons,
# not the platform's payload or the analysis' details, and of a user their name and address.
LIST_CONVERSATION = _all_columns(Conversation)
LIST_MENTION = _all_columns(Mention, "raw", "analysis")
LIST_AUTHOR = _all_columns(Author)
LIST_USER = (User.id, User.name, User.email)
LIST_TAG = (Tag.id, Tag.name, Tag.color)
LIST_ROW_FIELDS = tuple(
    tuple(column.key for column in columns)
    for columns in (LIST_CONVERSATION, LIST_MENTION, LIST_AUTHOR, LIST_USER)
)
LIST_ROW_TYPES = tuple(
    namedtuple(f"Listed{name}", fields)  # type: ignore[misc]
    for name, fields in zip(("Conversation", "Mention", "Author", "User"), LIST_ROW_FIELDS, strict=True)
)
# Where the mention's, the author's and the assignee's columns start in a row of ``_DETAILS``.
_ENDS = tuple(accumulate((1, *(len(fields) for fields in LIST_ROW_FIELDS[1:3]))))
_DETAILS = {dialect: _details(dialect) for dialect in DIALECTS}


# Rows read by position and by name only: SQLAlchemy need not map the columns of each new statement
# to those of its cached compiled form (the ORM tells it the same), which cost more than the rows.
_BY_NAME = {"_result_disable_adapt_to_context": True}


def _plain(session: Session, query: Select[Any], params: dict[str, Any] | None = None) -> list[Any]:
    """The rows of a select of columns, read as Core rows: no ORM result machinery on the way, and
    all of them at once (the driver's row by row reads cost more than the rows' own values)."""
    return session.connection().execute(query, params, execution_options=_BY_NAME).all()


def _top_of(query: Select[Any], workspace_id: int, conversation_ids: list[int]) -> Select[Any]:
    """``query`` (of ``Mention``) joined to keep each conversation's visible mention that drives
    its priority (ties: the newest)."""
    rank = (
        func.row_number()
        .over(
            partition_by=Mention.conversation_id,
            order_by=(
                func.coalesce(Mention.priority, -1).desc(),
                Mention.created_at.desc(),
                Mention.id.desc(),
            ),
        )
        .label("rank")
    )
    ranked = (
        select(Mention.id, rank)
        .where(
            Mention.workspace_id == workspace_id,
            Mention.conversation_id.in_(conversation_ids),
            Mention.hidden.is_(False),
        )
        .subquery()
    )
    return query.join(ranked, and_(ranked.c.id == Mention.id, ranked.c.rank == 1))


def top_mentions(session: Session, workspace_id: int, conversation_ids: list[int]) -> dict[int, Mention]:
    """For each conversation, the visible mention that drives its priority (ties: the newest)."""
    query = _top_of(select(Mention), workspace_id, conversation_ids)
    return {m.conversation_id: m for m in session.scalars(query)}


def tags_of(session: Session, workspace_id: int, conversation_ids: list[int]) -> dict[int, list[Tag]]:
    return _tag_rows(session, workspace_id, conversation_ids, (Tag,))


def _tag_rows(
    session: Session, workspace_id: int, conversation_ids: list[int], tag: tuple[Any, ...]
) -> dict[int, list[Any]]:
    """Each conversation's tags by name: ``Tag`` instances, or rows of the columns ``tag`` names
    (and the conversation's id)."""
    read = _plain if len(tag) > 1 else Session.execute
    dialect = session.get_bind().dialect.name
    rows = read(
        session,
        select(ConversationTag.conversation_id, *tag)
        .join(Tag, Tag.id == ConversationTag.tag_id)
        .where(
            ConversationTag.workspace_id == workspace_id,
            among_ids(ConversationTag.conversation_id, "tagged_ids", dialect),
        )
        .order_by(Tag.name),
        {"tagged_ids": list(conversation_ids)},
    )
    found: dict[int, list[Any]] = {}
    for row in rows:
        found.setdefault(row.conversation_id, []).append(row if len(tag) > 1 else row[1])
    return found


def get_conversation(session: Session, workspace_id: int, conversation_id: int) -> ConversationDetail:
    """The conversation with its whole thread; NotFound if it is not in this workspace."""
    c = session.scalar(
        select(Conversation).where(
            Conversation.workspace_id == workspace_id, Conversation.id == conversation_id
        )
    )
    if c is None:
        raise NotFound(f"no conversation #{conversation_id} in this workspace")
    mentions = list(
        session.scalars(
            select(Mention)
            .where(Mention.workspace_id == workspace_id, Mention.conversation_id == c.id)
            .order_by(Mention.created_at, Mention.id)
        )
    )
    author = session.scalar(
        select(Author).where(Author.id == c.author_id, _same_workspace(Author, workspace_id))
    )
    return ConversationDetail(
        conversation=c,
        author=author,
        mentions=mentions,
        replies=_replies(session, workspace_id, c.id),
        notes=_notes(session, workspace_id, c.id),
        tags=tags_of(session, workspace_id, [c.id]).get(c.id, []),
        assignee=session.get(User, c.assignee_id) if c.assignee_id else None,
        author_conversations=_count(session, Conversation, workspace_id, c.author_id),
        author_mentions=_count(session, Mention, workspace_id, c.author_id),
    )


def _replies(session: Session, workspace_id: int, conversation_id: int) -> list[Reply]:
    query = select(Reply).where(Reply.workspace_id == workspace_id, Reply.conversation_id == conversation_id)
    return list(session.scalars(query.order_by(Reply.created_at, Reply.id)))


def _notes(session: Session, workspace_id: int, conversation_id: int) -> list[tuple[Note, User | None]]:
    rows = session.execute(
        select(Note, User)
        .outerjoin(User, User.id == Note.user_id)
        .where(Note.workspace_id == workspace_id, Note.conversation_id == conversation_id)
        .order_by(Note.created_at, Note.id)
    )
    return [(note, user) for note, user in rows]


def _count(session: Session, model: Any, workspace_id: int, author_id: int | None) -> int:
    if author_id is None:
        return 0
    query = select(func.count()).where(model.workspace_id == workspace_id, model.author_id == author_id)
    return session.scalar(query) or 0
