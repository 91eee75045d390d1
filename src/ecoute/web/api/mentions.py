"""``/api/v1/mentions``: list (filters, full-text search ``q``, newest first), get one, hide and unhide.

Hidden mentions are left out of the list unless ``include_hidden=true``; nothing is ever deleted.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from sqlalchemy import literal, select, tuple_

from ecoute.auth.permissions import Action
from ecoute.inbox import moderation
from ecoute.store.models import Mention
from ecoute.store.search import text_matches
from ecoute.web.api import paging
from ecoute.web.api.params import BEARER, Id, IsoMoment, aware
from ecoute.web.api.schemas import MAX_ID, MentionOut, MentionPage, errors
from ecoute.web.deps import DbSession, WorkspaceContext, api_require, get_settings

router = APIRouter(prefix="/api/v1/mentions", tags=["mentions"], dependencies=BEARER)


@router.get("", response_model=MentionPage, responses=errors(403))
def list_mentions(
    request: Request,
    session: DbSession,
    ctx: Annotated[WorkspaceContext, api_require(Action.VIEW)],
    q: Annotated[str | None, Query(max_length=500, description="Words that must all appear.")] = None,
    conversation: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    platform: Annotated[str | None, Query(max_length=32)] = None,
    sentiment: Literal["negative", "neutral", "positive"] | None = None,
    intent: Literal["complaint", "question", "praise", "other"] | None = None,
    lang: Annotated[str | None, Query(max_length=8)] = None,
    since: Annotated[IsoMoment | None, Query(description="Posted at or after (ISO 8601).")] = None,
    until: Annotated[IsoMoment | None, Query(description="Posted before (ISO 8601).")] = None,
    include_hidden: bool = False,
    cursor: paging.Cursor = None,
    limit: paging.Limit = paging.DEFAULT_LIMIT,
) -> MentionPage:
    """Mentions of the workspace, newest first."""
    filters = {
        "q": q,
        "conversation": conversation,
        "platform": platform,
        "sentiment": sentiment,
        "intent": intent,
        "lang": lang,
        "since": aware(since),
        "until": aware(until),
        "include_hidden": include_hidden,
    }
    m = Mention
    stmt = select(m).where(m.workspace_id == ctx.workspace.id)
    for column, value in (
        (m.conversation_id, conversation),
        (m.platform, platform),
        (m.sentiment, sentiment),
        (m.intent, intent),
        (m.lang, lang),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    if filters["since"] is not None:
        stmt = stmt.where(m.created_at >= filters["since"])
    if filters["until"] is not None:
        stmt = stmt.where(m.created_at < filters["until"])
    if not include_hidden:
        stmt = stmt.where(m.hidden.is_(False))
    if q and q.strip():
        condition = text_matches(session, q)
        stmt = stmt.where(condition if condition is not None else m.id.is_(None))
    secret = get_settings(request).secret_key
    scope = paging.scope_of(ctx.workspace.id, kind="mentions", **filters)
    if cursor:
        when, after_id = paging.decode(secret, scope, cursor)
        position = tuple_(literal(datetime.fromisoformat(when), m.created_at.type), literal(int(after_id)))
        stmt = stmt.where(tuple_(m.created_at, m.id) < position)
    rows = list(session.scalars(stmt.order_by(m.created_at.desc(), m.id.desc()).limit(limit + 1)))
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = paging.encode(secret, scope, [rows[-1].created_at.isoformat(), rows[-1].id])
    return MentionPage(items=[MentionOut.of(row) for row in rows], next_cursor=next_cursor)


@router.get("/{mention_id}", response_model=MentionOut, responses=errors(403, 404))
def get_mention(
    session: DbSession, mention_id: Id, ctx: Annotated[WorkspaceContext, api_require(Action.VIEW)]
) -> MentionOut:
    """One mention (hidden ones too, flagged)."""
    return MentionOut.of(moderation.get_mention(session, ctx.workspace.id, mention_id))


@router.post("/{mention_id}/hide", response_model=MentionOut, responses=errors(403, 404))
def hide_mention(
    session: DbSession,
    mention_id: Id,
    ctx: Annotated[WorkspaceContext, api_require(Action.HIDE_MENTION)],
) -> MentionOut:
    """Hide a mention from the inbox (never deleted; audited as ``mention.hide``)."""
    return MentionOut.of(moderation.set_hidden(session, ctx.workspace.id, mention_id, True, actor=ctx.actor))


@router.post("/{mention_id}/unhide", response_model=MentionOut, responses=errors(403, 404))
def unhide_mention(
    session: DbSession,
    mention_id: Id,
    ctx: Annotated[WorkspaceContext, api_require(Action.HIDE_MENTION)],
) -> MentionOut:
    """Show a hidden mention again (audited as ``mention.unhide``)."""
    return MentionOut.of(moderation.set_hidden(session, ctx.workspace.id, mention_id, False, actor=ctx.actor))
