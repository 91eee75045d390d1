"""The digest page: a member chooses when their e-mail digest arrives (off, daily or weekly, at
an hour of the workspace's time zone) and previews it; admins set the workspace's Slack channel.
Unsubscribe links: ``ecoute.web.pages.digest_unsubscribe``.
"""

from __future__ import annotations

from typing import Annotated

from babel.dates import get_day_names
from fastapi import Form, HTTPException, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response

from ecoute.auth.permissions import Action
from ecoute.digests import schedule
from ecoute.digests.send import (
    compose_email,
    preference,
    set_preference,
    set_slack,
    slack_settings,
)
from ecoute.store.models import User, Workspace
from ecoute.store.repo import Invalid
from ecoute.store.types import utcnow
from ecoute.web.deps import DbSession, WorkspaceContext, get_settings, page_translator, require
from ecoute.web.pages import page_router
from ecoute.web.templating import render

router = page_router()
# The preview is the e-mail itself: inline styles, no script, nothing loaded from anywhere.
PREVIEW_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)


def _number(name: str, value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise Invalid(f"{name}: {value[:20]!r} is not a number") from None


def _me(ctx: WorkspaceContext) -> User:
    if ctx.user is None:
        raise HTTPException(403, "log in to choose your digest")
    return ctx.user


@router.get("/w/{slug}/digest")
def digest_page(
    request: Request, session: DbSession, ctx: Annotated[WorkspaceContext, require(Action.VIEW)]
) -> Response:
    me = _me(ctx)
    i18n = page_translator(request)
    slack = slack_settings(ctx.workspace)
    return render(
        request,
        "digest.html",
        pref=preference(session, ctx.workspace.id, me.id),
        slack=slack if ctx.can(Action.MANAGE_WEBHOOKS) else None,
        weekdays=list(get_day_names("wide", locale=i18n.babel).items()),
        timezone=ctx.workspace.timezone,
        saved=request.query_params.get("saved") == "1",
    )


@router.post("/w/{slug}/digest")
def save_digest(
    session: DbSession,
    ctx: Annotated[WorkspaceContext, require(Action.VIEW)],
    frequency: Annotated[str, Form(max_length=10)],
    hour: Annotated[str, Form(max_length=4)] = "8",
    weekday: Annotated[str, Form(max_length=4)] = "0",
) -> Response:
    me = _me(ctx)
    set_preference(
        session, ctx.workspace.id, me.id, frequency, _number("hour", hour), _number("weekday", weekday)
    )
    return RedirectResponse(f"/w/{ctx.workspace.slug}/digest?saved=1", status_code=303)


@router.post("/w/{slug}/digest/slack")
def save_slack(
    request: Request,
    session: DbSession,
    ctx: Annotated[WorkspaceContext, require(Action.MANAGE_WEBHOOKS)],
    url: Annotated[str, Form(max_length=2000)] = "",
    frequency: Annotated[str, Form(max_length=10)] = "weekly",
    hour: Annotated[str, Form(max_length=4)] = "8",
    weekday: Annotated[str, Form(max_length=4)] = "0",
    remove: Annotated[str, Form(max_length=4)] = "",
) -> Response:
    set_slack(
        session,
        ctx.workspace,
        get_settings(request),
        url=None if remove else url,
        frequency=frequency,
        hour=_number("hour", hour),
        weekday=_number("weekday", weekday),
    )
    return RedirectResponse(f"/w/{ctx.workspace.slug}/digest?saved=1", status_code=303)


@router.get("/w/{slug}/digest/preview")
def preview(
    request: Request,
    session: DbSession,
    ctx: Annotated[WorkspaceContext, require(Action.VIEW)],
    period: str = "weekly",
    format: str = "html",
) -> Response:
    """The e-mail the person would get now for the last whole day or week: its HTML part, or its
    plain-text part with ``format=text``."""
    if period not in schedule.DAYS:
        raise Invalid(f"period: {period[:20]!r}: use daily or weekly")
    if format not in ("html", "text"):
        raise Invalid(f"format: {format[:20]!r}: use html or text")
    me = session.get(User, _me(ctx).id)
    workspace = session.get(Workspace, ctx.workspace.id)
    assert me is not None and workspace is not None
    now = utcnow()
    chosen = schedule.last_complete(period, now, workspace.timezone)
    rendered, _ = compose_email(session, get_settings(request), workspace, me, chosen, now=now)
    headers = {"content-security-policy": PREVIEW_POLICY}
    if format == "text":
        return PlainTextResponse(rendered.text, headers=headers)
    return HTMLResponse(rendered.html, headers=headers)
