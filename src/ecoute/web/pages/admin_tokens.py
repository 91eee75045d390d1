"""Admin page: API tokens (create: shown once; list with prefix and last use; revoke). Audited."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, HTTPException, Path, Request
from fastapi.responses import RedirectResponse, Response

from ecoute.auth import api_tokens
from ecoute.auth.permissions import ROLES, Action, may_grant
from ecoute.store.repo import Invalid, record_audit
from ecoute.web.api.schemas import MAX_ID
from ecoute.web.deps import DbSession, WorkspaceContext, require
from ecoute.web.pages import page_router
from ecoute.web.templating import render

router = page_router()
Manager = Annotated[WorkspaceContext, require(Action.MANAGE_TOKENS)]


def _page(
    request: Request, session: DbSession, ctx: WorkspaceContext, status_code: int = 200, **extra: object
) -> Response:
    return render(
        request,
        "admin/tokens.html",
        status_code=status_code,
        section="tokens",
        tokens=api_tokens.list_tokens(session, ctx.workspace.id),
        grantable=[role for role in ROLES if may_grant(ctx.role, role)],
        **{"new_token": None, "error": None, **extra},
    )


@router.get("/w/{slug}/admin/tokens")
def tokens_page(request: Request, session: DbSession, ctx: Manager) -> Response:
    return _page(request, session, ctx)


@router.post("/w/{slug}/admin/tokens")
def create_token(
    request: Request,
    session: DbSession,
    ctx: Manager,
    name: Annotated[str, Form(max_length=200)],
    role: Annotated[str, Form(max_length=16)],
) -> Response:
    """A token acts with its role, so nobody may make one more powerful than themselves."""
    if role in ROLES and not may_grant(ctx.role, role):
        raise HTTPException(403, f"your role ({ctx.role}) may not create a token with the role {role}")
    try:
        token, row = api_tokens.create_token(
            session, ctx.workspace.id, name=name, role=role, created_by_id=ctx.user.id if ctx.user else None
        )
    except Invalid as error:
        return _page(request, session, ctx, status_code=400, error=str(error))
    record_audit(
        session,
        ctx.workspace.id,
        actor=ctx.actor,
        action="api_token.create",
        target_type="api_token",
        target_id=row.id,
        after={"name": row.name, "role": row.role, "prefix": row.prefix},
    )
    return _page(request, session, ctx, new_token=token)


@router.post("/w/{slug}/admin/tokens/{token_id}/revoke")
def revoke_token(
    session: DbSession, ctx: Manager, token_id: Annotated[int, Path(ge=1, le=MAX_ID)]
) -> Response:
    row = api_tokens.revoke_token(session, ctx.workspace.id, token_id)
    record_audit(
        session,
        ctx.workspace.id,
        actor=ctx.actor,
        action="api_token.revoke",
        target_type="api_token",
        target_id=row.id,
        before={"name": row.name, "prefix": row.prefix, "revoked": False},
        after={"revoked": True},
    )
    return RedirectResponse(f"/w/{ctx.workspace.slug}/admin/tokens", status_code=303)
