"""The inbox (conversations by priority, with their reasons) and a conversation's thread."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import Response

from ecoute.auth.permissions import Action
from ecoute.inbox import queries
from ecoute.web.deps import DbSession, WorkspaceContext, get_settings, require
from ecoute.web.filters import parse_filters
from ecoute.web.pages import page_router
from ecoute.web.templating import render

router = page_router()
PAGE_SIZE = 50


@router.get("/w/{slug}/")
def inbox(
    request: Request,
    session: DbSession,
    ctx: Annotated[WorkspaceContext, require(Action.VIEW)],
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> Response:
    params = dict(request.query_params)
    filters = parse_filters(params, me=ctx.user.id if ctx.user else None)
    page = queries.list_conversations(
        session,
        ctx.workspace.id,
        filters,
        cursor=cursor,
        limit=PAGE_SIZE,
        secret=get_settings(request).secret_key,
    )
    return render(request, "inbox.html", page=page, filters=filters, params=params)


@router.get("/w/{slug}/c/{conversation_id}")
def conversation(
    request: Request,
    session: DbSession,
    conversation_id: int,
    ctx: Annotated[WorkspaceContext, require(Action.VIEW)],
) -> Response:
    detail = queries.get_conversation(session, ctx.workspace.id, conversation_id)
    return render(request, "conversation.html", detail=detail)
