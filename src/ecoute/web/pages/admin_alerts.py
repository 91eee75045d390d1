"""Admin page: the workspace's alert settings (sensitivity, detectors, cooldown, e-mail and its
recipients, the Slack-compatible incoming webhook, the ``alert.raised`` event) and its muted terms,
each unmutable. Saved together, validated (a 400 names the field) and audited."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import Response

from ecoute.auth import users
from ecoute.auth.permissions import Action
from ecoute.store.repo import Invalid
from ecoute.warn import preferences
from ecoute.web.deps import DbSession, WorkspaceContext, get_settings, require
from ecoute.web.pages import page_router
from ecoute.web.templating import render
from ecoute.webhooks.addresses import allowed_networks
from ecoute.webhooks.endpoints import MAX_URL

router = page_router()
Manager = Annotated[WorkspaceContext, require(Action.MANAGE_WEBHOOKS)]
Term = Annotated[str, Form(min_length=1, max_length=preferences.MAX_TERM)]


def _page(
    request: Request, session: DbSession, ctx: WorkspaceContext, status_code: int = 200, **extra: object
) -> Response:
    return render(
        request,
        "admin/alerts.html",
        status_code=status_code,
        section="alerts",
        chosen=preferences.load(ctx.workspace),
        sensitivities=tuple(preferences.SENSITIVITIES),
        detectors=preferences.DETECTORS,
        members=users.list_members(session, ctx.workspace.id),
        min_cooldown=preferences.MIN_COOLDOWN,
        max_cooldown=preferences.MAX_COOLDOWN,
        **{"error": None, "saved": False, **extra},
    )


@router.get("/w/{slug}/admin/alerts")
def alert_settings_page(request: Request, session: DbSession, ctx: Manager) -> Response:
    return _page(request, session, ctx)


@router.post("/w/{slug}/admin/alerts")
def save_alert_settings(
    request: Request,
    session: DbSession,
    ctx: Manager,
    sensitivity: Annotated[str, Form(max_length=20)],
    cooldown_minutes: Annotated[int, Form(ge=preferences.MIN_COOLDOWN, le=preferences.MAX_COOLDOWN)],
    detectors: Annotated[list[str] | None, Form(max_length=len(preferences.DETECTORS))] = None,
    email: Annotated[bool, Form()] = False,
    recipients: Annotated[list[int] | None, Form(max_length=preferences.MAX_RECIPIENTS)] = None,
    slack_url: Annotated[str, Form(max_length=MAX_URL)] = "",
    slack_remove: Annotated[bool, Form()] = False,
    webhook_event: Annotated[bool, Form()] = False,
) -> Response:
    """Unticked boxes are off; no recipient ticked means the owners and admins; an empty URL keeps
    the incoming webhook already set (``slack_remove`` removes it)."""
    changes: dict[str, object] = {
        "sensitivity": sensitivity,
        "cooldown_minutes": cooldown_minutes,
        "detectors": list(detectors or []),
        "email": email,
        "email_recipients": list(recipients) if recipients else None,
        "webhook_event": webhook_event,
    }
    if slack_url.strip() or slack_remove:
        changes["slack_url"] = "" if slack_remove else slack_url
    settings = get_settings(request)
    return _saved(
        request, session, ctx,
        lambda: preferences.update(
            session, ctx.workspace, changes, secret_key=settings.secret_key,
            allowed=allowed_networks(settings), actor=ctx.actor,
        ),
    )  # fmt: skip


@router.post("/w/{slug}/admin/alerts/mute")
def mute(request: Request, session: DbSession, ctx: Manager, term: Term) -> Response:
    return _saved(
        request, session, ctx, lambda: preferences.mute(session, ctx.workspace, term, actor=ctx.actor)
    )


@router.post("/w/{slug}/admin/alerts/unmute")
def unmute(request: Request, session: DbSession, ctx: Manager, term: Term) -> Response:
    return _saved(
        request, session, ctx, lambda: preferences.unmute(session, ctx.workspace, term, actor=ctx.actor)
    )


def _saved(request: Request, session: DbSession, ctx: Manager, change: Callable[[], object]) -> Response:
    """The settings page after a change: saved, or again with the change's error (400)."""
    try:
        change()
    except Invalid as error:
        return _page(request, session, ctx, status_code=400, error=str(error))
    return _page(request, session, ctx, saved=True)
