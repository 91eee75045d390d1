"""Admin page: outgoing webhooks (add: the signing secret is shown once; disable, enable) and the
latest deliveries with their outcome."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Path, Request
from fastapi.responses import RedirectResponse, Response

from ecoute.auth.permissions import Action
from ecoute.store.repo import Invalid
from ecoute.web.api.schemas import MAX_ID
from ecoute.web.deps import DbSession, WorkspaceContext, get_settings, page_translator, require
from ecoute.web.pages import page_router
from ecoute.web.templating import render
from ecoute.webhooks import endpoints
from ecoute.webhooks.addresses import allowed_networks

router = page_router()
Manager = Annotated[WorkspaceContext, require(Action.MANAGE_WEBHOOKS)]
RowId = Annotated[int, Path(ge=1, le=MAX_ID)]


def _page(
    request: Request, session: DbSession, ctx: WorkspaceContext, status_code: int = 200, **extra: object
) -> Response:
    return render(
        request,
        "admin/webhooks.html",
        status_code=status_code,
        section="webhooks",
        endpoints=endpoints.list_endpoints(session, ctx.workspace.id),
        deliveries=endpoints.recent_deliveries(session, ctx.workspace.id),
        default_min_priority=endpoints.default_min_priority(ctx.workspace),
        events=endpoints.EVENTS,
        **{"new_secret": None, "error": None, "chosen": endpoints.EVENTS, **extra},
    )


@router.get("/w/{slug}/admin/webhooks")
def webhooks_page(request: Request, session: DbSession, ctx: Manager) -> Response:
    return _page(request, session, ctx)


@router.post("/w/{slug}/admin/webhooks")
def add_webhook(
    request: Request,
    session: DbSession,
    ctx: Manager,
    url: Annotated[str, Form(max_length=endpoints.MAX_URL)],
    min_priority: Annotated[int, Form(ge=0, le=100)],
    description: Annotated[str, Form(max_length=200)] = "",
    events: Annotated[list[str] | None, Form(max_length=len(endpoints.EVENTS))] = None,
    events_shown: Annotated[bool, Form()] = False,
) -> Response:
    """``events`` are the boxes ticked; a form without the boxes (``events_shown`` unset) takes them all."""
    chosen = tuple(events or ()) if events or events_shown else endpoints.EVENTS
    if not chosen:
        error = page_translator(request).t("admin.events_none")
        return _page(request, session, ctx, status_code=400, error=error, chosen=chosen)
    try:
        secret, _ = endpoints.create_endpoint(
            session,
            ctx.workspace.id,
            url=url,
            description=description,
            events=chosen,
            min_priority=min_priority,
            secret_key=get_settings(request).secret_key,
            created_by_id=ctx.user.id if ctx.user else None,
            allowed=allowed_networks(get_settings(request)),
            actor=ctx.actor,
        )
    except Invalid as error:
        return _page(request, session, ctx, status_code=400, error=str(error), chosen=chosen)
    return _page(request, session, ctx, new_secret=secret)


@router.post("/w/{slug}/admin/webhooks/{endpoint_id}/disable")
def disable_webhook(session: DbSession, ctx: Manager, endpoint_id: RowId) -> Response:
    endpoints.set_enabled(session, ctx.workspace.id, endpoint_id, False, actor=ctx.actor)
    return RedirectResponse(f"/w/{ctx.workspace.slug}/admin/webhooks", status_code=303)


@router.post("/w/{slug}/admin/webhooks/{endpoint_id}/enable")
def enable_webhook(session: DbSession, ctx: Manager, endpoint_id: RowId) -> Response:
    endpoints.set_enabled(session, ctx.workspace.id, endpoint_id, True, actor=ctx.actor)
    return RedirectResponse(f"/w/{ctx.workspace.slug}/admin/webhooks", status_code=303)
