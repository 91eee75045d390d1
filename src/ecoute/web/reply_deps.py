"""Who is acting, read in a short transaction of its own: routes that send replies commit
several times (the attempt, then the platform's answer), so they cannot hold the request's
transaction open around the platform call (see ``ecoute.respond.sending``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request

from ecoute.auth.permissions import Action
from ecoute.store.db import Database
from ecoute.web.deps import (
    WorkspaceContext,
    api_context,
    get_db,
    logged_in,
    optional_login,
    workspace_context,
)


def _checked(context: WorkspaceContext, action: Action) -> WorkspaceContext:
    if not context.can(action):
        raise HTTPException(403, "your role does not allow this")
    return context


def api_actor(action: Action) -> object:
    """Like ``deps.api_require``, with the token read and its use recorded before the route runs."""

    def check(request: Request) -> WorkspaceContext:
        with get_db(request).session() as session:
            return _checked(api_context(request, session), action)

    return Depends(check)


def page_actor(action: Action) -> object:
    """Like ``deps.require`` for pages, in its own short transaction."""

    def check(slug: str, request: Request) -> WorkspaceContext:
        with get_db(request).session() as session:
            login = logged_in(optional_login(request, session))
            return _checked(workspace_context(slug, request, session, login), action)

    return Depends(check)


DatabaseDep = Annotated[Database, Depends(get_db)]
