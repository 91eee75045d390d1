"""Request dependencies: the database session, who is logged in, the current workspace (from
``/w/{slug}/…`` for pages, from the token for the API), permission checks and CSRF.

A workspace the user is not a member of answers 404, exactly like one that does not exist.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, NoReturn

from fastapi import Depends, HTTPException, Request
from sqlalchemy import Integer, String, and_, bindparam, exists, select
from sqlalchemy.orm import Session

from ecoute.auth import api_tokens, login_attempts, sessions
from ecoute.auth.permissions import Action, can
from ecoute.settings import Settings
from ecoute.sources.status import needing_reconnect
from ecoute.store.db import Database
from ecoute.store.models import Membership, Source, User, Workspace
from ecoute.store.people import ApiToken, WebSession
from ecoute.store.types import utcnow
from ecoute.web.clients import client_address
from ecoute.web.i18n import Translator, choose_locale, translator

logger = logging.getLogger(__name__)
SESSION_COOKIE = "ecoute_session"
CSRF_COOKIE = "ecoute_csrf"  # double-submit token for forms shown before login
LOCALE_COOKIE = "ecoute_locale"
UNAUTHORISED = "missing, unknown or revoked API token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class LoginRequired(Exception):
    """No valid session on a page that needs one: the error handler redirects to the login page."""


def get_db(request: Request) -> Database:
    return request.app.state.db


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def _db_session(request: Request) -> Iterator[Session]:
    with get_db(request).session() as session:
        yield session


# One transaction per request, committed before the response is sent (scope="function").
DbSession = Annotated[Session, Depends(_db_session, scope="function")]


@dataclass
class Login:
    user: User
    web_session: WebSession


@dataclass(frozen=True)
class Viewer:
    """Plain copy of who is looking, for templates: still readable after a rolled-back request."""

    id: int
    email: str
    name: str
    locale: str | None
    csrf_token: str


@dataclass(frozen=True)
class WorkspaceView:
    """Plain copy of the current workspace and role, for templates and error pages."""

    id: int
    slug: str
    name: str
    timezone: str
    role: str
    # Sources that need reconnecting, for the admins' banner (empty for other roles).
    reconnect: tuple[str, ...] = ()


def optional_login(request: Request, session: DbSession) -> Login | None:
    token = request.cookies.get(SESSION_COOKIE, "")
    days = get_settings(request).int("session_days")
    found = sessions.load_session(session, token, days=days) if token else None
    login = Login(user=found[1], web_session=found[0]) if found else None
    request.state.login = login
    if found:
        web_session, user = found
        request.state.viewer = Viewer(user.id, user.email, user.name, user.locale, web_session.csrf_token)
    return login


def logged_in(login: Login | None) -> Login:
    if login is None:
        raise LoginRequired()
    return login


# The checks below that read nothing are coroutines: FastAPI runs a plain function dependency in
# its thread pool, a hand-over that costs about 0.1 ms of CPU each time, for every page.
async def require_login(login: Annotated[Login | None, Depends(optional_login)]) -> Login:
    return logged_in(login)


@dataclass
class WorkspaceContext:
    """Who is acting, in which workspace, with which role: what every scoped route receives."""

    workspace: Workspace
    role: str
    user: User | None = None  # a person (web session) …
    token: ApiToken | None = None  # … or an API token

    def can(self, action: Action | str) -> bool:
        return can(self.role, action)

    @property
    def actor(self) -> str:
        """How the audit log names who acted."""
        if self.user is not None:
            return f"user:{self.user.id}:{self.user.email}"
        return f"token:{self.token.id}:{self.token.prefix}" if self.token else "system"


def workspace_context(
    slug: str, request: Request, session: DbSession, login: Annotated[Login, Depends(require_login)]
) -> WorkspaceContext:
    found = session.execute(_WORKSPACE_AND_ROLE, {"slug": slug, "user_id": login.user.id}).first()
    workspace, role, any_to_reconnect = found if found is not None else (None, None, False)
    if workspace is None or role is None:
        logger.info("workspace.denied", extra={"slug": slug[:64], "user_id": login.user.id})
        raise HTTPException(404, "Not Found")
    context = WorkspaceContext(workspace=workspace, role=role, user=login.user)
    reconnect = ()
    if any_to_reconnect and can(role, Action.MANAGE_SOURCES):
        reconnect = tuple(needing_reconnect(session, workspace.id))
    request.state.workspace = WorkspaceView(
        workspace.id, workspace.slug, workspace.name, workspace.timezone, role, reconnect
    )
    return context


# The workspace of a page, the reader's role in it (None: not a member) and whether any of its
# sources needs reconnecting (the admins' banner): one statement for what every page asks first,
# built once.
_WORKSPACE_AND_ROLE = (
    select(
        Workspace,
        Membership.role,
        exists()
        .where(
            Source.workspace_id == Workspace.id,
            Source.health == "needs_reconnect",
            Source.paused.is_(False),
        )
        .label("any_to_reconnect"),
    )
    .outerjoin(
        Membership,
        and_(
            Membership.workspace_id == Workspace.id,
            Membership.user_id == bindparam("user_id", type_=Integer),
        ),
    )
    .where(Workspace.slug == bindparam("slug", type_=String))
)


def api_context(request: Request, session: DbSession) -> WorkspaceContext:
    """The workspace of the bearer token; 401 without a valid one, 429 when the client's address
    sent too many bad ones (checked only then: a valid token never pays for the throttle)."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():  # no token at all: nothing was guessed
        raise HTTPException(401, UNAUTHORISED, {"WWW-Authenticate": "Bearer"})
    row = api_tokens.find_token(session, token.strip())
    now = utcnow()
    workspace = session.get(Workspace, row.workspace_id) if row is not None else None
    if row is None or workspace is None or not api_tokens.is_live(row, now):
        _refuse_token(request, row, now)
    api_tokens.touch(row, now)
    return WorkspaceContext(workspace=workspace, role=row.role, token=row)


def _refuse_token(request: Request, row: ApiToken | None, now: datetime) -> NoReturn:
    address = client_address(request)
    # Its own transaction: the request's is rolled back by the error raised below.
    with get_db(request).session() as session:
        wait = login_attempts.token_retry_after(session, address, now)
        if not wait:
            login_attempts.record_bad_token(session, address, row, now)
    if wait:
        detail = f"too many bad API tokens from your address: try again in {wait} s"
        raise HTTPException(429, detail, {"Retry-After": str(wait)})
    raise HTTPException(401, UNAUTHORISED, {"WWW-Authenticate": "Bearer"})


def require(action: Action) -> object:
    """A page dependency: the workspace context, or 403 when the role may not do ``action``."""

    async def check(context: Annotated[WorkspaceContext, Depends(workspace_context)]) -> WorkspaceContext:
        return _allowed(context, action)

    return Depends(check)


def api_require(action: Action) -> object:
    """The API twin of ``require``: the token's workspace context, or 403."""

    async def check(context: Annotated[WorkspaceContext, Depends(api_context)]) -> WorkspaceContext:
        return _allowed(context, action)

    return Depends(check)


def _allowed(context: WorkspaceContext, action: Action) -> WorkspaceContext:
    if not context.can(action):
        logger.info("permission.denied", extra={"action": str(action), "role": context.role})
        raise HTTPException(403, "your role does not allow this")
    return context


async def csrf_protect(request: Request) -> None:
    """Unsafe requests must echo the CSRF token (form field ``csrf_token`` or ``X-CSRF-Token``).

    Logged in: the session's token. Not logged in (the login form): the double-submit cookie.
    Runs on every page router, before the route reads the form.
    """
    if request.method not in UNSAFE_METHODS:
        return
    submitted = request.headers.get("x-csrf-token")
    if submitted is None and "form" in request.headers.get("content-type", ""):
        value = (await request.form()).get("csrf_token")
        submitted = value if isinstance(value, str) else None
    expected = _expected_csrf(request)
    if not expected or not submitted or not sessions.same_secret(expected, submitted):
        logger.info("csrf.rejected", extra={"path": request.url.path})
        raise HTTPException(403, "the form has expired: reload the page and try again")


def _expected_csrf(request: Request) -> str | None:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        with get_db(request).session() as session:
            found = sessions.load_session(session, token)
            if found is not None:
                return found[0].csrf_token
    return request.cookies.get(CSRF_COOKIE)


def page_translator(request: Request) -> Translator:
    """The language for this request: the user's choice, else the cookie, else the browser."""
    viewer: Viewer | None = getattr(request.state, "viewer", None)
    workspace: WorkspaceView | None = getattr(request.state, "workspace", None)
    locale = choose_locale(
        viewer.locale if viewer else None,
        request.cookies.get(LOCALE_COOKIE),
        request.headers.get("accept-language"),
    )
    return translator(locale, workspace.timezone if workspace else "UTC")
