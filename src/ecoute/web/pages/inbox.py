"""The inbox: conversations by priority with the reasons each is urgent, filters and search in the
URL, standard and saved views, and triage of one or many conversations at once (bulk actions)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, cast

from fastapi import Form, HTTPException, Query, Request
from fastapi.responses import Response

from ecoute.auth.permissions import Action
from ecoute.inbox import batch, counts, presence, queries
from ecoute.inbox import views as saved_views
from ecoute.web.api.exports import export_response
from ecoute.web.deps import DbSession, WorkspaceContext, get_settings, page_translator, require
from ecoute.web.filters import FILTER_PARAMS, parse_filters
from ecoute.web.pages import page_router
from ecoute.web.pages import presence as presence_page
from ecoute.web.pages.deadline_view import current_time, page_timers
from ecoute.web.pages.desk_icons import icon
from ecoute.web.pages.inbox_rows import FilterBar, PageChrome, PageRows
from ecoute.web.pages.inbox_support import (
    INTENTS,
    LANGUAGES,
    PLATFORMS,
    SENTIMENTS,
    STATUSES,
    Flash,
    Formatting,
    forget_flash,
    parse_value,
    permissions,
    picklists,
    query_with,
    redirect_back,
    take_flash,
)
from ecoute.web.templating import csrf_token, render
from ecoute.web.turns import in_turn

router = page_router()
PAGE_SIZE = 50
OPERATION_ACTIONS = {
    "assign": Action.ASSIGN,
    "status": Action.CHANGE_STATUS,
    "tag": Action.TAG,
    "untag": Action.TAG,
}


@dataclass(frozen=True)
class StandardView:
    key: str
    query: str  # the inbox query string that shows it


STANDARD_VIEWS = (
    StandardView("todo", ""),
    StandardView("needs_reply", "needs_reply=1"),
    StandardView("mine", "assignee=me"),
    StandardView("unassigned", "assignee=none"),
    StandardView("resolved", "status=resolved"),
    StandardView("all", "status=all"),
)


def filter_params(request: Request) -> dict[str, str]:
    """The filters the URL asks for (empty values dropped, unknown names ignored)."""
    return {k: v.strip() for k, v in request.query_params.items() if k in FILTER_PARAMS and v.strip()}


@router.get("/w/{slug}/")
@in_turn
def inbox(
    request: Request,
    session: DbSession,
    ctx: Annotated[WorkspaceContext, require(Action.VIEW)],
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> Response:
    params = filter_params(request)
    me = ctx.user.id if ctx.user else None
    filters = parse_filters(params, me=me)
    ws = ctx.workspace.id
    now = current_time()
    secret = get_settings(request).secret_key
    page = queries.list_conversations(
        session, ws, filters, cursor=cursor, limit=PAGE_SIZE, secret=secret, now=now
    )
    ids = [row.conversation.id for row in page.rows]
    i18n = page_translator(request)
    current = query_with(params)
    views = saved_views.list_views(session, ws, me)
    flash = take_flash(request)
    can = permissions(ctx)
    timers = page_timers(session, ctx.workspace, ids, i18n, now)
    present = presence.others_present(session, ws, ids, me)
    rows = PageRows(
        request.app.state.row_cache,
        reader=(i18n.locale, i18n.timezone, ctx.workspace.slug, current, can["status"]),
        i18n=i18n,
        csrf_token=csrf_token(request),
        timers=timers,
        present=present,
        now=now,
    )
    lists = picklists(session, ws)
    current_view = _current_view(current, views)
    filter_bar = FilterBar(
        request.app.state.row_cache,
        reader=rows.reader[:-1],
        params=params,
        current_view=current_view,
        can_share_views=can["share_views"],
        lists=lists,
        # Shown inside the page around the list, which puts the reader's token in its slots.
        csrf_token=request.app.state.row_cache.csrf_slot,
    )
    view_counts = counts.view_counts(session, ws, me)
    chrome = PageChrome(
        request.app.state.row_cache,
        filter_bar=filter_bar,
        viewer_id=me,
        can=can,
        counts=view_counts,
        saved_views=views,
        csrf_token=csrf_token(request),
    )
    response = render(
        request,
        "inbox.html",
        page=page,
        filters=filters,
        params=params,
        cursor=cursor,
        query=current,
        query_with=lambda **changes: query_with(params, **changes),
        present=present,
        rows=rows,
        lists=lists,
        filter_bar=filter_bar,
        chrome=chrome,
        counts=view_counts,
        standard_views=STANDARD_VIEWS,
        saved_views=views,
        current_view=current_view,
        can=can,
        fmt=Formatting(i18n, now),
        timers=timers,
        desk_icon=icon,
        flash=flash,
        heartbeat=presence_page.HEARTBEAT_SECONDS,
        options={
            "status": STATUSES,
            "sentiment": SENTIMENTS,
            "intent": INTENTS,
            "lang": LANGUAGES,
            "platform": PLATFORMS,
            "deadline": tuple(queries.DEADLINE_FILTERS),
        },
    )
    return forget_flash(response) if flash else response


def _current_view(query: str, views: list[saved_views.ViewLink]) -> str | None:
    """Which view the page shows: ``std:<key>``, ``view:<id>``, or None for a custom filter."""
    for view in STANDARD_VIEWS:
        if view.query == query:
            return f"std:{view.key}"
    for saved in views:
        if saved.query == query:
            return f"view:{saved.id}"
    return None


@router.post("/w/{slug}/bulk")
def bulk(
    request: Request,
    session: DbSession,
    ctx: Annotated[WorkspaceContext, require(Action.VIEW)],
    ids: Annotated[list[int], Form(min_length=1, max_length=batch.MAX_BATCH)],
    action: Annotated[list[str], Form(max_length=4)],
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Assign, set the status of, or tag the selected conversations (also one: keyboard actions).

    ``action`` is ``op:value`` (``assign:me``, ``status:resolved``, ``tag:livraison``); the
    form's buttons and its menu share the name, so the first one given wins."""
    chosen = next_action(action)
    op, _, value = chosen.partition(":")
    if op not in OPERATION_ACTIONS:
        raise HTTPException(400, f"action {chosen!r}: use assign:…, status:…, tag:… or untag:…")
    if not ctx.can(OPERATION_ACTIONS[op]):
        raise HTTPException(403, "your role does not allow this")
    operation = cast(batch.Operation, op)
    target = parse_value(session, ctx, operation, value)
    result = batch.change_many(session, ctx.workspace.id, ids, operation, target, actor=ctx.actor)
    flash = _flash(op, target, result.changed, ids)
    return redirect_back(request, next, f"/w/{ctx.workspace.slug}/", flash)


def next_action(values: list[str]) -> str:
    chosen = [v.strip() for v in values if v.strip()]
    if not chosen:
        raise HTTPException(400, "action: choose what to do with the selected conversations")
    return chosen[0][:300]


def _flash(op: str, target: str | int | None, changed: int, ids: list[int]) -> Flash:
    if op == "status":
        return Flash("resolved" if target == "resolved" else "status", changed, tuple(ids), str(target))
    if op == "assign":
        return Flash("assigned" if target is not None else "unassigned", changed, (), str(target or ""))
    return Flash("tagged" if op == "tag" else "untagged", changed, (), str(target))


@router.get("/w/{slug}/export/{kind}.{fmt}")
def export(
    request: Request, ctx: Annotated[WorkspaceContext, require(Action.VIEW)], kind: str, fmt: str
) -> Response:
    """The Export menu: the mentions or conversations of the inbox's current filters, CSV or XLSX."""
    filters = parse_filters(filter_params(request), me=ctx.user.id if ctx.user else None)
    return export_response(request, ctx.workspace.id, ctx.workspace.slug, kind, fmt, filters)
