"""Admin page: the audit log, newest first (who, what, when, before/after), in pages of 50."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import Response
from sqlalchemy import literal, select, tuple_

from ecoute.auth.permissions import Action
from ecoute.store.models import AuditEvent
from ecoute.web.api import paging
from ecoute.web.deps import DbSession, WorkspaceContext, get_settings, require
from ecoute.web.pages import page_router
from ecoute.web.templating import render

router = page_router()
PAGE_SIZE = 50


@router.get("/w/{slug}/admin/audit")
def audit_page(
    request: Request,
    session: DbSession,
    ctx: Annotated[WorkspaceContext, require(Action.VIEW_AUDIT)],
    cursor: Annotated[str | None, Query(max_length=600)] = None,
    action: Annotated[str | None, Query(max_length=80)] = None,
) -> Response:
    secret = get_settings(request).secret_key
    scope = paging.scope_of(ctx.workspace.id, kind="audit", action=action or None)
    a = AuditEvent
    query = select(a).where(a.workspace_id == ctx.workspace.id)
    if action:
        query = query.where(a.action == action)
    if cursor:
        when, after_id = paging.decode(secret, scope, cursor)
        position = tuple_(literal(datetime.fromisoformat(when), a.created_at.type), literal(int(after_id)))
        query = query.where(tuple_(a.created_at, a.id) < position)
    events = list(session.scalars(query.order_by(a.created_at.desc(), a.id.desc()).limit(PAGE_SIZE + 1)))
    next_cursor = None
    if len(events) > PAGE_SIZE:
        events = events[:PAGE_SIZE]
        next_cursor = paging.encode(secret, scope, [events[-1].created_at.isoformat(), events[-1].id])
    return render(
        request,
        "admin/audit.html",
        section="audit",
        events=events,
        next_cursor=next_cursor,
        action=action or "",
    )
