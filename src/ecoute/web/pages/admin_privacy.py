"""Admin page: people's data. Look a person up by handle, download everything held about them
(JSON), erase it after typing the handle again, and set how long mentions are kept. Audited."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import Form, Query, Request
from fastapi.responses import Response
from starlette.background import BackgroundTask

from ecoute.auth.permissions import Action
from ecoute.privacy.erase import erase_person, scrub_free_pages
from ecoute.privacy.export import audit_export, export_person
from ecoute.privacy.person import Person, find_person, normalise_handle
from ecoute.privacy.retention import MAX_MONTHS, retention_months, set_retention
from ecoute.store.repo import Invalid, NotFound
from ecoute.web.deps import DbSession, WorkspaceContext, get_db, get_settings, page_translator, require
from ecoute.web.pages import page_router
from ecoute.web.templating import render

router = page_router()
Manager = Annotated[WorkspaceContext, require(Action.MANAGE_PRIVACY)]
Handle = Annotated[str, Form(min_length=1, max_length=201)]
Platform = Annotated[str, Form(max_length=32)]


def _page(request: Request, ctx: WorkspaceContext, status_code: int = 200, **extra: object) -> Response:
    return render(
        request,
        "admin/privacy.html",
        status_code=status_code,
        section="privacy",
        retention=retention_months(ctx.workspace),
        max_months=MAX_MONTHS,
        **{"person": None, "handle": "", "platform": "", "erased": None, "error": None, **extra},
    )


def _lookup(session: DbSession, ctx: WorkspaceContext, handle: str, platform: str) -> Person:
    return find_person(session, ctx.workspace.id, handle, platform or None)


@router.get("/w/{slug}/admin/privacy")
def privacy_page(
    request: Request,
    session: DbSession,
    ctx: Manager,
    handle: Annotated[str, Query(max_length=201)] = "",
    platform: Annotated[str, Query(max_length=32)] = "",
) -> Response:
    if not handle.strip():
        return _page(request, ctx)
    try:
        person = _lookup(session, ctx, handle, platform)
    except (NotFound, Invalid) as error:
        return _page(request, ctx, status_code=404, error=str(error), handle=handle, platform=platform)
    return _page(request, ctx, person=person, handle=person.handle, platform=platform)


@router.post("/w/{slug}/admin/privacy/export")
def export(
    request: Request, session: DbSession, ctx: Manager, handle: Handle, platform: Platform = ""
) -> Response:
    try:
        person = _lookup(session, ctx, handle, platform)
    except (NotFound, Invalid) as error:
        return _page(request, ctx, status_code=404, error=str(error), handle=handle, platform=platform)
    document = export_person(session, ctx.workspace, person)
    audit_export(
        session, ctx.workspace.id, person, actor=ctx.actor, secret_key=get_settings(request).secret_key
    )
    filename = f"ecoute-{ctx.workspace.slug}-{person.handle}.json".replace('"', "")
    return Response(
        json.dumps(document, ensure_ascii=False, indent=2),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.post("/w/{slug}/admin/privacy/erase")
def erase(
    request: Request,
    session: DbSession,
    ctx: Manager,
    handle: Handle,
    confirm: Annotated[str, Form(max_length=201)],
    platform: Platform = "",
) -> Response:
    """Erases only when ``confirm`` repeats the handle: the one action here that cannot be undone."""
    try:
        person = _lookup(session, ctx, handle, platform)
        if normalise_handle(confirm or "-") != person.handle:
            error = page_translator(request).t("privacy.confirm_mismatch", handle=person.handle)
            return _page(request, ctx, status_code=400, error=error, person=person, handle=person.handle)
    except (NotFound, Invalid) as error:
        return _page(request, ctx, status_code=404, error=str(error), handle=handle, platform=platform)
    report = erase_person(
        session, ctx.workspace.id, person, secret_key=get_settings(request).secret_key, actor=ctx.actor
    )
    response = _page(request, ctx, erased=report)
    # Once the erasure is committed (before the answer is sent), the files are scrubbed.
    response.background = BackgroundTask(scrub_free_pages, get_db(request))
    return response


@router.post("/w/{slug}/admin/privacy/retention")
def retention(
    request: Request,
    session: DbSession,
    ctx: Manager,
    months: Annotated[int, Form(ge=0, le=MAX_MONTHS)],
) -> Response:
    set_retention(session, ctx.workspace, months, actor=ctx.actor)
    return _page(request, ctx, saved=True)
