"""Log in, log out, and choose the interface language."""

from __future__ import annotations

import logging
import secrets
from typing import Annotated

from fastapi import Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from ecoute.auth import sessions, users
from ecoute.auth.login_attempts import attempt_login
from ecoute.auth.passwords import HashingBusy
from ecoute.store.types import utcnow
from ecoute.web.clients import client_address, set_cookie
from ecoute.web.deps import (
    CSRF_COOKIE,
    LOCALE_COOKIE,
    SESSION_COOKIE,
    DbSession,
    Login,
    get_settings,
    optional_login,
    page_translator,
)
from ecoute.web.i18n import LOCALES
from ecoute.web.pages import page_router
from ecoute.web.templating import render

logger = logging.getLogger(__name__)
router = page_router()
BUSY_RETRY_S = 1


def safe_next(target: str | None) -> str:
    """Only local paths: never redirect a user to another site after login."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@router.get("/login")
def login_page(request: Request, next: str = "/") -> Response:
    token = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)
    request.state.csrf = token
    response = render(request, "login.html", next=safe_next(next), error=None)
    set_cookie(request, response, CSRF_COOKIE, token, max_age=None)
    return response


@router.post("/login")
def login_submit(
    request: Request,
    session: DbSession,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=1024)],
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    address = client_address(request)
    try:
        outcome = attempt_login(
            session, email, password, address=address, now=utcnow(), slots=request.app.state.hash_slots
        )
    except HashingBusy:
        logger.warning("auth.login_busy", extra={"address": address})
        return _refused(request, next, "login.busy", BUSY_RETRY_S)
    if outcome.retry_after_s:
        return _refused(request, next, "login.throttled", outcome.retry_after_s)
    if outcome.user is None:
        return render(request, "login.html", status_code=401, next=safe_next(next), error="login.failed")
    settings = get_settings(request)
    token, _ = sessions.create_session(
        session, outcome.user, days=settings.int("session_days"), user_agent=request.headers.get("user-agent")
    )
    response = RedirectResponse(safe_next(next), status_code=303)
    set_cookie(request, response, SESSION_COOKIE, token, max_age=settings.int("session_days") * 86400)
    response.delete_cookie(CSRF_COOKIE)
    return response


def _refused(request: Request, next: str, error: str, wait_s: int) -> Response:
    """429 with ``Retry-After``: too many failures (throttled) or too many logins at once (busy)."""
    wait = page_translator(request).duration(wait_s)
    response = render(request, "login.html", status_code=429, next=safe_next(next), error=error, wait=wait)
    response.headers["Retry-After"] = str(wait_s)
    return response


@router.post("/logout")
def logout(request: Request, session: DbSession) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        sessions.revoke_session(session, token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.post("/locale")
def set_locale(
    request: Request,
    session: DbSession,
    login: Annotated[Login | None, Depends(optional_login)],
    locale: Annotated[str, Form()],
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """Saved on the user when logged in (follows them to every device), else in a cookie."""
    if locale not in LOCALES:
        raise HTTPException(400, f"unknown language {locale!r}")
    if login is not None:
        users.set_locale(session, login.user, locale)
    response = RedirectResponse(safe_next(next), status_code=303)
    set_cookie(request, response, LOCALE_COOKIE, locale, max_age=365 * 86400)
    return response
