"""``/api/v1/members``: who is in the workspace, with their ids (to assign conversations)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from sqlalchemy import select

from ecoute.auth.permissions import Action
from ecoute.store.models import Membership, User
from ecoute.web.api import paging
from ecoute.web.api.params import BEARER
from ecoute.web.api.schemas import MemberOut, MemberPage, errors
from ecoute.web.deps import DbSession, WorkspaceContext, api_require, get_settings

router = APIRouter(prefix="/api/v1/members", tags=["members"], dependencies=BEARER)


@router.get("", response_model=MemberPage, responses=errors(403))
def list_members(
    request: Request,
    session: DbSession,
    ctx: Annotated[WorkspaceContext, api_require(Action.VIEW)],
    cursor: paging.Cursor = None,
    limit: paging.Limit = paging.DEFAULT_LIMIT,
) -> MemberPage:
    """Members in the order they joined."""
    secret = get_settings(request).secret_key
    scope = paging.scope_of(ctx.workspace.id, kind="members")
    after_id = int(paging.decode(secret, scope, cursor)[0]) if cursor else 0
    rows = session.execute(
        select(Membership.id, Membership.role, User)
        .join(User, User.id == Membership.user_id)
        .where(Membership.workspace_id == ctx.workspace.id, Membership.id > after_id)
        .order_by(Membership.id)
        .limit(limit + 1)
    ).all()
    next_cursor = paging.encode(secret, scope, [rows[limit - 1][0]]) if len(rows) > limit else None
    items = [
        MemberOut(id=user.id, name=user.name, email=user.email, role=role) for _, role, user in rows[:limit]
    ]
    return MemberPage(items=items, next_cursor=next_cursor)
