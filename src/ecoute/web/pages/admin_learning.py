"""Settings page: the analysis heads a workspace uses — shipped, or retrained from its agents'
corrections — with each retraining attempt's held-out figures, and a button to retrain now.
Admins only (the heads shape triage as rules do: same permission)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from ecoute.auth.permissions import Action
from ecoute.jobs import defer
from ecoute.learning.retrain import examples_of, history
from ecoute.store.repo import record_audit
from ecoute.store.types import utcnow
from ecoute.web.deps import DbSession, WorkspaceContext, get_settings, require
from ecoute.web.pages import page_router
from ecoute.web.templating import render

router = page_router()
Manager = Annotated[WorkspaceContext, require(Action.MANAGE_RULES)]


@router.get("/w/{slug}/admin/analysis")
def analysis_page(request: Request, session: DbSession, ctx: Manager, queued: bool = False) -> Response:
    attempts = history(session, ctx.workspace.id)
    kept = next((a for a in attempts if a.status == "kept"), None)
    corrections = len(examples_of(session, ctx.workspace.id))
    last = attempts[0].corrections if attempts else 0
    return render(
        request,
        "admin/analysis.html",
        section="analysis",
        attempts=attempts,
        kept=kept,
        corrections=corrections,
        new_corrections=max(0, corrections - last),
        threshold=get_settings(request).int("retrain_min_corrections"),
        queued=queued,
    )


@router.post("/w/{slug}/admin/analysis/retrain")
def retrain(request: Request, session: DbSession, ctx: Manager) -> Response:
    """Queue a retraining of this workspace's heads (once per minute at most: the same key); audited."""
    minute = int(utcnow().timestamp() // 60)
    record_audit(session, ctx.workspace.id, actor=ctx.actor, action="analysis.retrain_requested")
    defer(
        session,
        "learning.retrain_now",
        {},
        key=f"learning.retrain_now:{ctx.workspace.id}:{minute}",
        workspace_id=ctx.workspace.id,
    )
    return RedirectResponse(f"/w/{ctx.workspace.slug}/admin/analysis?queued=1", status_code=303)
