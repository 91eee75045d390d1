"""Unsubscribe links (``/digest/unsubscribe/<token>``), which work without a login: the page shows
one button (a link opened by a mail scanner must not unsubscribe anyone), and a POST to the same
address, the button or the mail client's one-click unsubscribe (RFC 8058), turns the digest off.
No CSRF token: the signed token is the proof, and all it can do is turn one digest off."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from ecoute.digests.send import locale_for, unsubscribe
from ecoute.digests.tokens import BadToken, read_token
from ecoute.store.models import User, Workspace
from ecoute.web.deps import DbSession, get_settings, optional_login
from ecoute.web.i18n import translator
from ecoute.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(optional_login)])


def _subscription(request: Request, session: DbSession, token: str) -> tuple[User, Workspace] | None:
    try:
        found = read_token(get_settings(request).secret_key, token)
    except BadToken:
        return None
    user, workspace = session.get(User, found.user_id), session.get(Workspace, found.workspace_id)
    return (user, workspace) if user is not None and workspace is not None else None


def _unsubscribe_page(
    request: Request, found: tuple[User, Workspace] | None, *, done: bool, status: int = 200
) -> Response:
    if found is None:
        return render(request, "digest_unsubscribe.html", status_code=400, bad=True, done=False)
    user, workspace = found
    i18n = translator(locale_for(user, workspace), workspace.timezone)
    return render(
        request,
        "digest_unsubscribe.html",
        status_code=status,
        i18n=i18n,
        t=i18n.t,
        bad=False,
        done=done,
        email=user.email,
        workspace_name=workspace.name,
    )


@router.get("/digest/unsubscribe/{token}")
def unsubscribe_page(request: Request, session: DbSession, token: str) -> Response:
    return _unsubscribe_page(request, _subscription(request, session, token[:200]), done=False)


@router.post("/digest/unsubscribe/{token}")
def unsubscribe_now(request: Request, session: DbSession, token: str) -> Response:
    found = _subscription(request, session, token[:200])
    if found is not None:
        unsubscribe(session, found[1].id, found[0].id)
    return _unsubscribe_page(request, found, done=True)
