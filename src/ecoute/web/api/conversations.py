"""``/api/v1/conversations``: the inbox (same filters and order as the web inbox), one
conversation with its thread, and triage changes (status, assignee, tags, needs-reply)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from ecoute.auth.permissions import Action
from ecoute.inbox import queries, triage
from ecoute.inbox.queries import ConversationDetail, InboxFilters, InboxRow
from ecoute.keep_time.deadlines import page_deadlines
from ecoute.keep_time.targets import DeadlineStatus
from ecoute.store.models import Author, Conversation, User, Workspace
from ecoute.store.repo import Invalid
from ecoute.store.types import utcnow
from ecoute.web.api import paging
from ecoute.web.api.params import BEARER, Id, IsoMoment, aware
from ecoute.web.api.schemas import (
    MAX_ID,
    AuthorHistory,
    AuthorOut,
    ClockOut,
    ConversationDetailOut,
    ConversationOut,
    ConversationPage,
    ConversationPatch,
    MentionOut,
    NoteOut,
    ReplyOut,
    TagOut,
    errors,
    user_ref,
)
from ecoute.web.deps import DbSession, WorkspaceContext, api_require, get_settings
from ecoute.web.filters import parse_filters
from ecoute.web.turns import in_turn

router = APIRouter(prefix="/api/v1/conversations", tags=["conversations"], dependencies=BEARER)
RowId = Annotated[int | None, Query(ge=1, le=MAX_ID)]
# Which permission each field of a change needs.
FIELD_ACTIONS = {
    "status": Action.CHANGE_STATUS,
    "needs_reply": Action.CHANGE_STATUS,
    "assignee_id": Action.ASSIGN,
    "tags": Action.TAG,
}


def inbox_filters(
    status: Annotated[
        str | None,
        Query(
            pattern=r"^(all|(new|open|pending|resolved)(,(new|open|pending|resolved))*)$",
            description="Comma-separated statuses (default: all).",
        ),
    ] = None,
    assignee: Annotated[
        str | None, Query(pattern=r"^(none|[1-9][0-9]{0,9})$", description="A user id, or `none`.")
    ] = None,
    source: RowId = None,
    brand: RowId = None,
    tag: RowId = None,
    platform: Annotated[str | None, Query(max_length=32)] = None,
    sentiment: Literal["negative", "neutral", "positive"] | None = None,
    intent: Literal["complaint", "question", "praise", "other"] | None = None,
    lang: Annotated[str | None, Query(max_length=8)] = None,
    needs_reply: bool | None = None,
    since: Annotated[IsoMoment | None, Query(description="Last mention at or after (ISO 8601).")] = None,
    until: Annotated[IsoMoment | None, Query(description="Last mention before (ISO 8601).")] = None,
    q: Annotated[str | None, Query(max_length=500, description="Full-text search in mentions.")] = None,
    deadline: Annotated[
        Literal["breached", "due_soon", "at_risk"] | None,
        Query(
            description="First-response deadline, in business hours: `breached` (past), `due_soon` "
            "(the last quarter of the target, by default), `at_risk` (either)."
        ),
    ] = None,
) -> InboxFilters:
    """The inbox's filters as query parameters (the list and the exports take the same)."""
    given = {
        "status": status,
        "assignee": _assignee(assignee),
        "source": source,
        "brand": brand,
        "tag": tag,
        "platform": platform,
        "sentiment": sentiment,
        "intent": intent,
        "lang": lang,
        "needs_reply": None if needs_reply is None else str(needs_reply),
        "since": _iso(since),
        "until": _iso(until),
        "q": q,
        "deadline": deadline,
    }
    params = {name: str(value) for name, value in given.items() if value is not None}
    return parse_filters(params, me=None, default_open=False)


Filters = Annotated[InboxFilters, Depends(inbox_filters)]


@router.get("", response_model=ConversationPage, responses=errors(403))
@in_turn
def list_conversations(
    request: Request,
    session: DbSession,
    ctx: Annotated[WorkspaceContext, api_require(Action.VIEW)],
    filters: Filters,
    cursor: paging.Cursor = None,
    limit: paging.Limit = paging.DEFAULT_LIMIT,
) -> ConversationPage:
    """Conversations by priority, then the most recent, with the reasons each is urgent."""
    now = utcnow()
    page = queries.list_conversations(
        session,
        ctx.workspace.id,
        filters,
        cursor=cursor,
        limit=limit,
        secret=get_settings(request).secret_key,
        now=now,
    )
    clocks = page_deadlines(session, ctx.workspace, [row.conversation.id for row in page.rows], now)
    items = [_out(row, clocks.get(row.conversation.id)) for row in page.rows]
    return ConversationPage(items=items, next_cursor=page.next_cursor)


def _assignee(value: str | None) -> str | None:
    if value not in (None, "none") and int(value or 0) > MAX_ID:
        raise Invalid(f"assignee: {value} is not a user id")
    return value


def _iso(value: datetime | None) -> str | None:
    checked = aware(value)
    return checked.isoformat() if checked else None


def _out(row: InboxRow, clock: DeadlineStatus | None) -> ConversationOut:
    c = row.conversation
    return ConversationOut(
        id=c.id,
        platform=c.platform,
        status=c.status,  # type: ignore[arg-type]
        priority=c.priority,
        needs_reply=c.needs_reply,
        mention_count=c.mention_count,
        first_mention_at=c.first_mention_at,
        last_mention_at=c.last_mention_at,
        reasons=[str(r) for r in row.reasons],
        author=AuthorOut.of(row.author),
        assignee=user_ref(row.assignee),
        tags=[TagOut(id=t.id, name=t.name, color=t.color) for t in row.tags],
        top_mention=MentionOut.of(row.top_mention) if row.top_mention else None,
        deadline=ClockOut.of(clock) if clock else None,
    )


@router.get("/{conversation_id}", response_model=ConversationDetailOut, responses=errors(403, 404))
def get_conversation(
    session: DbSession, conversation_id: Id, ctx: Annotated[WorkspaceContext, api_require(Action.VIEW)]
) -> ConversationDetailOut:
    """One conversation with its whole thread, replies, internal notes and the author's history."""
    detail = queries.get_conversation(session, ctx.workspace.id, conversation_id)
    return _detail(session, ctx.workspace, detail)


def _detail(session: Session, workspace: Workspace, detail: ConversationDetail) -> ConversationDetailOut:
    c = detail.conversation
    workspace_id = workspace.id
    top = queries.top_mentions(session, workspace_id, [c.id]).get(c.id)
    clock = page_deadlines(session, workspace, [c.id], utcnow()).get(c.id)
    summary = _out(InboxRow(c, detail.author, top, detail.assignee, detail.tags), clock)
    authors = {u.id: u for u in session.scalars(select(User).where(User.id.in_(_reply_authors(detail))))}
    return ConversationDetailOut(
        **summary.model_dump(),
        mentions=[MentionOut.of(m) for m in detail.mentions],
        replies=[
            ReplyOut(
                id=r.id,
                text=r.text,
                status=r.status,
                in_reply_to_id=r.in_reply_to_id,
                author=user_ref(authors.get(r.author_user_id or 0)),
                created_at=r.created_at,
                sent_at=r.sent_at,
            )
            for r in detail.replies
        ],
        notes=[
            NoteOut(
                id=n.id, conversation_id=c.id, text=n.text, author=user_ref(user), created_at=n.created_at
            )
            for n, user in detail.notes
        ],
        author_history=AuthorHistory(
            conversations=detail.author_conversations, mentions=detail.author_mentions
        ),
    )


def _reply_authors(detail: ConversationDetail) -> set[int]:
    return {r.author_user_id for r in detail.replies if r.author_user_id is not None}


@router.patch("/{conversation_id}", response_model=ConversationOut, responses=errors(403, 404))
def update_conversation(
    session: DbSession,
    conversation_id: Id,
    change: ConversationPatch,
    ctx: Annotated[WorkspaceContext, api_require(Action.VIEW)],
) -> ConversationOut:
    """Change status, assignee, tags (replacing the set) or needs-reply; each field needs its own
    permission (status and needs_reply: change_status; assignee_id: assign; tags: tag).
    Audited as ``conversation.update`` with the values before and after."""
    given = change.model_fields_set
    refused = sorted(name for name in given if not ctx.can(FIELD_ACTIONS[name]))
    if refused:
        raise HTTPException(403, f"your role does not allow changing: {', '.join(refused)}")
    changes = triage.ConversationChanges(**{name: getattr(change, name) for name in given})
    row = triage.update_conversation(session, ctx.workspace.id, conversation_id, changes, actor=ctx.actor)
    return _summary(session, ctx.workspace, row)


def _summary(session: Session, workspace: Workspace, c: Conversation) -> ConversationOut:
    workspace_id = workspace.id
    author = session.scalar(
        select(Author).where(Author.workspace_id == workspace_id, Author.id == c.author_id)
    )
    assignee = session.get(User, c.assignee_id) if c.assignee_id else None
    top = queries.top_mentions(session, workspace_id, [c.id]).get(c.id)
    tags = queries.tags_of(session, workspace_id, [c.id]).get(c.id, [])
    clock = page_deadlines(session, workspace, [c.id], utcnow()).get(c.id)
    return _out(InboxRow(c, author, top, assignee, tags), clock)
