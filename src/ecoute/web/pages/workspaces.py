"""The home page and the workspace switcher: the workspaces the user belongs to."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response

from ecoute.auth import users
from ecoute.web.deps import DbSession, Login, require_login
from ecoute.web.pages import page_router
from ecoute.web.templating import render

router = page_router()


@router.get("/")
def home(session: DbSession, login: Annotated[Login, Depends(require_login)], request: Request) -> Response:
    memberships = users.user_workspaces(session, login.user.id)
    if len(memberships) == 1:
        return RedirectResponse(f"/w/{memberships[0].workspace.slug}/", status_code=303)
    return render(request, "workspaces.html", memberships=memberships)


@router.get("/w")
def switcher(
    session: DbSession, login: Annotated[Login, Depends(require_login)], request: Request
) -> Response:
    return render(request, "workspaces.html", memberships=users.user_workspaces(session, login.user.id))
