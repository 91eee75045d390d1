"""The reply composer in the conversation view (drafts, saved replies, variety, length, send) and
the approvals queue. The composer is a fragment the conversation page loads into its slot."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from ecoute.auth.permissions import Action
from ecoute.inbox import queries
from ecoute.respond import approval
from ecoute.respond.composer_data import composer_data
from ecoute.respond.outbox import ReplyCollision, TooSimilar, submit_reply
from ecoute.sources.base import SourceError
from ecoute.store.models import Workspace
from ecoute.web.api.reply_schemas import CheckIn, CheckOut, ReplyIn, check_out, conflict_response, outcome_out
from ecoute.web.deps import DbSession, WorkspaceContext, require
from ecoute.web.pages import page_router
from ecoute.web.reply_deps import DatabaseDep, page_actor
from ecoute.web.templating import render

router = page_router()


@router.get("/w/{slug}/c/{conversation_id}/composer")
def composer(
    request: Request,
    session: DbSession,
    conversation_id: int,
    ctx: Annotated[WorkspaceContext, require(Action.VIEW)],
) -> Response:
    """The composer's fragment: drafts, saved replies, limit; a new submission id each time."""
    conversation = queries.get_conversation(session, ctx.workspace.id, conversation_id).conversation
    data = composer_data(session, ctx.workspace, conversation, agent_name=ctx.user.name if ctx.user else None)
    return render(
        request,
        "replies/_composer.html",
        c=conversation,
        data=data,
        submission=uuid.uuid4().hex,
        can_reply=ctx.can(Action.REPLY),
        held=approval.needs_approval(ctx.workspace, ctx.role),
        here=f"/w/{ctx.workspace.slug}/c/{conversation_id}",
    )


@router.post("/w/{slug}/c/{conversation_id}/replies")
def post_reply(
    request: Request,
    db: DatabaseDep,
    conversation_id: int,
    body: ReplyIn,
    ctx: Annotated[WorkspaceContext, page_actor(Action.REPLY)],
) -> Response:
    key = request.headers.get("idempotency-key", "")
    if not 8 <= len(key) <= 200:
        return JSONResponse({"detail": "Idempotency-Key header missing"}, status_code=400)
    user_id = ctx.user.id if ctx.user else None
    try:
        outcome = submit_reply(
            db,
            ctx.workspace.id,
            conversation_id,
            body.request(key),
            role=ctx.role,
            user_id=user_id,
            actor=ctx.actor,
        )
    except (ReplyCollision, TooSimilar) as error:
        return conflict_response(error)
    except SourceError as error:
        return JSONResponse({"detail": str(error)}, status_code=502)
    return JSONResponse(outcome_out(outcome).model_dump(mode="json"), status_code=201)


@router.post("/w/{slug}/c/{conversation_id}/replies/check")
def check_reply(
    session: DbSession,
    conversation_id: int,
    body: CheckIn,
    ctx: Annotated[WorkspaceContext, require(Action.VIEW)],
) -> CheckOut:
    return check_out(session, ctx.workspace.id, conversation_id, body.text)


@router.get("/w/{slug}/approvals")
def approvals(
    request: Request, session: DbSession, ctx: Annotated[WorkspaceContext, require(Action.APPROVE_REPLY)]
) -> Response:
    waiting = approval.pending_replies(session, ctx.workspace.id)
    return render(
        request,
        "replies/approvals.html",
        waiting=waiting,
        roles=sorted(approval.approval_roles(ctx.workspace)),
        choices=approval.REVIEWABLE_ROLES,
        can_set=ctx.can(Action.MANAGE_MEMBERS),
    )


@router.post("/w/{slug}/approvals/roles")
def set_roles(
    session: DbSession,
    ctx: Annotated[WorkspaceContext, require(Action.MANAGE_MEMBERS)],
    roles: Annotated[list[str] | None, Form()] = None,
) -> Response:
    workspace = session.get(Workspace, ctx.workspace.id)
    assert workspace is not None  # the context just read it
    approval.set_approval_roles(session, workspace, roles or [], actor=ctx.actor)
    return RedirectResponse(f"/w/{ctx.workspace.slug}/approvals", status_code=303)


@router.post("/w/{slug}/approvals/{reply_id}/approve")
def approve(
    db: DatabaseDep,
    reply_id: int,
    ctx: Annotated[WorkspaceContext, page_actor(Action.APPROVE_REPLY)],
    text: Annotated[str | None, Form(max_length=20000)] = None,
) -> Response:
    reviewer = ctx.user.id if ctx.user else None
    try:
        approval.approve(db, ctx.workspace.id, reply_id, reviewer_id=reviewer, actor=ctx.actor, text=text)
    except SourceError:  # kept as "failed" with the platform's message; the queue page says so
        return RedirectResponse(f"/w/{ctx.workspace.slug}/approvals?done=failed", status_code=303)
    return RedirectResponse(f"/w/{ctx.workspace.slug}/approvals?done=approved", status_code=303)


@router.post("/w/{slug}/approvals/{reply_id}/reject")
def reject(
    session: DbSession,
    reply_id: int,
    ctx: Annotated[WorkspaceContext, require(Action.APPROVE_REPLY)],
    note: Annotated[str, Form(max_length=2000)],
) -> Response:
    reviewer = ctx.user.id if ctx.user else None
    approval.reject(session, ctx.workspace.id, reply_id, reviewer_id=reviewer, actor=ctx.actor, note=note)
    return RedirectResponse(f"/w/{ctx.workspace.slug}/approvals?done=rejected", status_code=303)
