"""Opening an invitation link: join the workspace (logged in), or create one's account first."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, Form, HTTPException, Path, Request
from fastapi.responses import RedirectResponse, Response

from ecoute.auth import invitations, members, sessions, users
from ecoute.auth.passwords import HashingBusy, WeakPassword
from ecoute.store.models import Workspace
from ecoute.store.people import Invitation
from ecoute.store.repo import Invalid
from ecoute.web.clients import set_cookie
from ecoute.web.deps import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    DbSession,
    Login,
    get_settings,
    optional_login,
    page_translator,
)
from ecoute.web.pages import page_router
from ecoute.web.templating import render

router = page_router()
Token = Annotated[str, Path(min_length=20, max_length=100, pattern=r"^[A-Za-z0-9_-]+$")]


def _invitation_or_404(session: DbSession, token: str) -> tuple[Invitation, Workspace]:
    row = invitations.find_invitation(session, token)
    workspace = session.get(Workspace, row.workspace_id) if row else None
    if row is None or workspace is None:
        raise HTTPException(404, "this invitation is unknown, already used or expired")
    return row, workspace


@router.get("/invite/{token}")
def invitation_page(
    request: Request,
    session: DbSession,
    token: Token,
    login: Annotated[Login | None, Depends(optional_login)],
) -> Response:
    row, workspace = _invitation_or_404(session, token)
    has_account = users.get_user_by_email(session, row.email) is not None
    csrf = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)
    request.state.csrf = csrf
    response = render(
        request, "invite.html", invitation=row, workspace=workspace, has_account=has_account, error=None
    )
    if login is None:
        set_cookie(request, response, CSRF_COOKIE, csrf, max_age=None)
    return response


@router.post("/invite/{token}")
def join(
    session: DbSession, token: Token, login: Annotated[Login | None, Depends(optional_login)]
) -> Response:
    if login is None:
        return RedirectResponse(f"/login?next=/invite/{token}", status_code=303)
    row, workspace = _invitation_or_404(session, token)
    members.accept(session, token, login.user)
    return RedirectResponse(f"/w/{workspace.slug}/", status_code=303)


@router.post("/invite/{token}/signup")
def sign_up(
    request: Request,
    session: DbSession,
    token: Token,
    name: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=1024)],
) -> Response:
    """Create the account for the invited e-mail, log in, and join."""
    row, workspace = _invitation_or_404(session, token)
    try:
        with request.app.state.hash_slots.slot():  # hashing the password: bounded like logins
            user = users.create_user(session, row.email, password, name=name.strip())
    except HashingBusy:
        i18n = page_translator(request)
        response = render(
            request,
            "invite.html",
            status_code=429,
            invitation=row,
            workspace=workspace,
            has_account=False,
            error=i18n.t("login.busy", wait=i18n.duration(1)),
        )
        response.headers["Retry-After"] = "1"
        return response
    except (Invalid, WeakPassword) as error:
        return render(
            request,
            "invite.html",
            status_code=400,
            invitation=row,
            workspace=workspace,
            has_account=False,
            error=str(error),
        )
    members.accept(session, token, user)
    settings = get_settings(request)
    cookie, _ = sessions.create_session(session, user, days=settings.int("session_days"))
    response = RedirectResponse(f"/w/{workspace.slug}/", status_code=303)
    set_cookie(request, response, SESSION_COOKIE, cookie, max_age=settings.int("session_days") * 86400)
    response.delete_cookie(CSRF_COOKIE)
    return response
