"""The Alerts page: what the spike scan raised, each alert explaining itself (observed against
expected, when it started and peaked, the terms that rose, who and where, a few posts, the inbox
filtered to exactly its mentions), and its triage: acknowledge, snooze, resolve, reopen; a rising
term's alert can mute the term (no more alerts on it; the muted terms are listed, and unmuted, in
Settings › Alerts).

Any member reads it; changing an alert takes the right to change conversations' status (agents and
up). Works without JavaScript: each action is a small form.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, HTTPException, Path, Request
from fastapi.responses import Response
from sqlalchemy import select

from ecoute.auth.permissions import Action
from ecoute.incidents import records as incident_records
from ecoute.store.repo import Invalid, NotFound
from ecoute.warn import explain as alerts
from ecoute.warn import preferences
from ecoute.warn.models import Alert
from ecoute.web.api.schemas import MAX_ID
from ecoute.web.deps import DbSession, WorkspaceContext, page_translator, require
from ecoute.web.i18n import Translator
from ecoute.web.pages import page_router
from ecoute.web.pages.deadline_view import current_time
from ecoute.web.pages.inbox_support import Formatting, redirect_back
from ecoute.web.templating import render

router = page_router()


@router.get("/w/{slug}/alerts")
def alerts_page(
    request: Request, session: DbSession, ctx: Annotated[WorkspaceContext, require(Action.VIEW)]
) -> Response:
    now = current_time()
    i18n = page_translator(request)
    found = alerts.current(session, ctx.workspace.id, now)
    items = []
    for alert in found:
        explanation = alerts.explain(session, alert, now)
        items.append(
            {
                "alert": alert,
                "status": alerts.shown_status(alert, now),
                "why": explanation,
                "inbox": alerts.inbox_path(ctx.workspace.slug, alert, explanation),
                "observed": i18n.number(round(alert.observed)),
                "expected": i18n.number(round(alert.expected, 1)),
                "ratio": _ratio(i18n, alert),
                "incident": incident_records.for_alert(session, ctx.workspace.id, alert.id),
            }
        )
    return render(
        request,
        "alerts.html",
        items=items,
        fmt=Formatting(i18n, now),
        snoozes=tuple(alerts.SNOOZES),
        can_change=ctx.can(Action.CHANGE_STATUS),
        muted=set(preferences.load(ctx.workspace).muted_terms),
    )


def _ratio(i18n: Translator, alert: Alert) -> str | None:
    """How many times the expected: only said when something was expected (half a mention or more)."""
    return i18n.number(round(alert.observed / alert.expected, 1)) if alert.expected >= 0.5 else None


@router.post("/w/{slug}/alerts/{alert_id}")
def change_alert(
    request: Request,
    session: DbSession,
    ctx: Annotated[WorkspaceContext, require(Action.CHANGE_STATUS)],
    alert_id: int,
    action: Annotated[str, Form(max_length=20)],
    snooze: Annotated[str | None, Form(max_length=8)] = None,
) -> Response:
    try:
        alerts.change(
            session,
            ctx.workspace.id,
            alert_id,
            action,
            user_id=ctx.user.id if ctx.user else None,
            actor=ctx.actor,
            snooze=snooze,
            now=current_time(),
        )
    except NotFound as error:
        raise HTTPException(404, str(error)) from None
    except Invalid as error:
        raise HTTPException(400, str(error)) from None
    return redirect_back(request, None, f"/w/{ctx.workspace.slug}/alerts")


@router.post("/w/{slug}/alerts/{alert_id}/mute")
def mute_term(
    request: Request,
    session: DbSession,
    ctx: Annotated[WorkspaceContext, require(Action.CHANGE_STATUS)],
    alert_id: Annotated[int, Path(ge=1, le=MAX_ID)],
) -> Response:
    """Mute the term of a term alert for the workspace, and resolve the alert (audited)."""
    alert = session.scalar(select(Alert).where(Alert.workspace_id == ctx.workspace.id, Alert.id == alert_id))
    if alert is None:
        raise HTTPException(404, f"no alert #{alert_id}")
    term = alerts.term_of(alert)
    if not term:
        raise HTTPException(400, "alert: only a rising term's alert can be muted")
    preferences.mute(session, ctx.workspace, term, actor=ctx.actor)
    alerts.change(session, ctx.workspace.id, alert.id, "resolve", user_id=ctx.user.id if ctx.user else None,
                  actor=ctx.actor, now=current_time())  # fmt: skip
    return redirect_back(request, None, f"/w/{ctx.workspace.slug}/alerts")
