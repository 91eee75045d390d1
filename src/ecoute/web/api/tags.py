"""``/api/v1/tags``: the workspace's tags; creating and deleting them needs ``manage_tags``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Request, Response

from ecoute.auth.permissions import Action
from ecoute.inbox import tags
from ecoute.web.api import paging
from ecoute.web.api.params import BEARER, Id
from ecoute.web.api.schemas import TagIn, TagOut, TagPage, errors
from ecoute.web.deps import DbSession, WorkspaceContext, api_require, get_settings

router = APIRouter(prefix="/api/v1/tags", tags=["tags"], dependencies=BEARER)


@router.get("", response_model=TagPage, responses=errors(403))
def list_tags(
    request: Request,
    session: DbSession,
    ctx: Annotated[WorkspaceContext, api_require(Action.VIEW)],
    cursor: paging.Cursor = None,
    limit: paging.Limit = paging.DEFAULT_LIMIT,
) -> TagPage:
    """Tags in the order they were created."""
    secret = get_settings(request).secret_key
    scope = paging.scope_of(ctx.workspace.id, kind="tags")
    after_id = int(paging.decode(secret, scope, cursor)[0]) if cursor else 0
    rows = tags.list_tags(session, ctx.workspace.id, after_id=after_id, limit=limit + 1)
    next_cursor = paging.encode(secret, scope, [rows[limit - 1].id]) if len(rows) > limit else None
    return TagPage(
        items=[TagOut(id=t.id, name=t.name, color=t.color) for t in rows[:limit]], next_cursor=next_cursor
    )


@router.post("", status_code=201, response_model=TagOut, responses=errors(403, 409))
def create_tag(
    session: DbSession, body: TagIn, ctx: Annotated[WorkspaceContext, api_require(Action.MANAGE_TAGS)]
) -> TagOut:
    """Create a tag (409 when the name is taken). Audited as ``tag.create``."""
    try:
        tag = tags.create_tag(session, ctx.workspace.id, body.name, body.color, actor=ctx.actor)
    except tags.TagExists as error:
        raise HTTPException(409, str(error)) from None
    return TagOut(id=tag.id, name=tag.name, color=tag.color)


@router.delete("/{tag_id}", status_code=204, response_class=Response, responses=errors(403, 404))
def delete_tag(
    session: DbSession, tag_id: Id, ctx: Annotated[WorkspaceContext, api_require(Action.MANAGE_TAGS)]
) -> Response:
    """Delete a tag and take it off every conversation. Audited as ``tag.delete``."""
    tags.delete_tag(session, ctx.workspace.id, tag_id, actor=ctx.actor)
    return Response(status_code=204)
