"""Admin page: the workspace's members and invitations (invite, change a role, remove, revoke)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, HTTPException, Path, Request
from fastapi.responses import RedirectResponse, Response

from ecoute.auth import invitations, members, users
from ecoute.auth.permissions import ROLES, Action, may_grant
from ecoute.store.repo import Invalid
from ecoute.web.api.schemas import MAX_ID
from ecoute.web.deps import DbSession, WorkspaceContext, get_settings, require
from ecoute.web.pages import page_router
from ecoute.web.templating import render

router = page_router()
Manager = Annotated[WorkspaceContext, require(Action.MANAGE_MEMBERS)]
RowId = Annotated[int, Path(ge=1, le=MAX_ID)]


def _page(
    request: Request, session: DbSession, ctx: WorkspaceContext, status_code: int = 200, **extra: object
) -> Response:
    return render(
        request,
        "admin/members.html",
        status_code=status_code,
        section="members",
        members=users.list_members(session, ctx.workspace.id),
        invitations=invitations.list_invitations(session, ctx.workspace.id),
        grantable=[role for role in ROLES if may_grant(ctx.role, role)],
        me=ctx.user.id if ctx.user else None,
        **{"new_link": None, "error": None, **extra},
    )


def _back(ctx: WorkspaceContext) -> RedirectResponse:
    return RedirectResponse(f"/w/{ctx.workspace.slug}/admin/members", status_code=303)


@router.get("/w/{slug}/admin")
def admin_home(ctx: Manager) -> Response:
    """Settings start with the people."""
    return _back(ctx)


@router.get("/w/{slug}/admin/members")
def members_page(request: Request, session: DbSession, ctx: Manager) -> Response:
    return _page(request, session, ctx)


@router.post("/w/{slug}/admin/members/invite")
def invite(
    request: Request,
    session: DbSession,
    ctx: Manager,
    email: Annotated[str, Form(max_length=320)],
    role: Annotated[str, Form(max_length=16)],
) -> Response:
    """The link is shown once, on this answer: it is stored only as a digest."""
    try:
        token, _ = members.invite(
            session,
            ctx.workspace.id,
            email,
            role,
            granter_role=ctx.role,
            invited_by_id=ctx.user.id if ctx.user else None,
            actor=ctx.actor,
        )
    except members.NotAllowed as error:
        raise HTTPException(403, str(error)) from None
    except Invalid as error:
        return _page(request, session, ctx, status_code=400, error=str(error))
    link = f"{get_settings(request).public_url}/invite/{token}"
    return _page(request, session, ctx, new_link=link)


@router.post("/w/{slug}/admin/members/{user_id}/role")
def change_role(
    session: DbSession, ctx: Manager, user_id: RowId, role: Annotated[str, Form(max_length=16)]
) -> Response:
    try:
        members.change_role(session, ctx.workspace.id, user_id, role, granter_role=ctx.role, actor=ctx.actor)
    except members.NotAllowed as error:
        raise HTTPException(403, str(error)) from None
    return _back(ctx)


@router.post("/w/{slug}/admin/members/{user_id}/remove")
def remove(session: DbSession, ctx: Manager, user_id: RowId) -> Response:
    try:
        members.remove(session, ctx.workspace.id, user_id, granter_role=ctx.role, actor=ctx.actor)
    except members.NotAllowed as error:
        raise HTTPException(403, str(error)) from None
    return _back(ctx)


@router.post("/w/{slug}/admin/invitations/{invitation_id}/revoke")
def revoke_invitation(session: DbSession, ctx: Manager, invitation_id: RowId) -> Response:
    members.revoke_invitation(session, ctx.workspace.id, invitation_id, actor=ctx.actor)
    return _back(ctx)
