"""Saved views from the inbox: save the current filters under a name (for oneself, or shared with
the workspace by those who may), and delete one."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qsl, urlencode

from fastapi import Form, HTTPException, Request
from fastapi.responses import Response

from ecoute.auth.permissions import Action
from ecoute.inbox import views
from ecoute.web.deps import DbSession, WorkspaceContext, require
from ecoute.web.filters import FILTER_PARAMS, parse_filters
from ecoute.web.pages import page_router
from ecoute.web.pages.inbox_support import Flash, redirect_back

router = page_router()


@router.post("/w/{slug}/views")
def save_view(
    request: Request,
    session: DbSession,
    ctx: Annotated[WorkspaceContext, require(Action.VIEW)],
    name: Annotated[str, Form(max_length=views.MAX_NAME * 2)],
    query: Annotated[str, Form(max_length=2000)] = "",
    shared: Annotated[bool, Form()] = False,
) -> Response:
    """``query`` is the inbox's query string; only known filters are kept, and they must parse."""
    if ctx.user is None:
        raise HTTPException(403, "views belong to people")
    if shared and not ctx.can(Action.MANAGE_VIEWS):
        raise HTTPException(403, "your role does not allow sharing views")
    filters = {k: v for k, v in parse_qsl(query) if k in FILTER_PARAMS and v.strip()}
    parse_filters(filters, me=ctx.user.id)  # Invalid (400) names a bad value
    view = views.create_view(
        session,
        ctx.workspace.id,
        user_id=ctx.user.id,
        name=name,
        filters=filters,
        shared=shared,
        actor=ctx.actor,
    )
    target = f"/w/{ctx.workspace.slug}/" + (f"?{urlencode(sorted(filters.items()))}" if filters else "")
    return redirect_back(request, target, target, Flash("view_saved", 1, (), view.name))


@router.post("/w/{slug}/views/{view_id}/delete")
def delete_view(
    request: Request,
    session: DbSession,
    view_id: int,
    ctx: Annotated[WorkspaceContext, require(Action.VIEW)],
) -> Response:
    view = views.get_view(session, ctx.workspace.id, view_id, ctx.user.id if ctx.user else None)
    if view.user_id is None and not ctx.can(Action.MANAGE_VIEWS):
        raise HTTPException(403, "your role does not allow deleting shared views")
    name = view.name
    views.delete_view(session, view, actor=ctx.actor)
    home = f"/w/{ctx.workspace.slug}/"
    return redirect_back(request, home, home, Flash("view_deleted", 1, (), name))
