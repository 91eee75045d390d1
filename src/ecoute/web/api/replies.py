"""``/api/v1`` replies: drafts for a conversation, submitting a reply (sent, recorded or held for
approval; idempotent through the ``Idempotency-Key`` header), the variety check, and review."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header
from fastapi.responses import JSONResponse, Response

from ecoute.auth.permissions import Action
from ecoute.inbox import queries
from ecoute.respond import approval
from ecoute.respond.composer_data import composer_data
from ecoute.respond.outbox import ReplyCollision, TooSimilar, submit_reply
from ecoute.sources.base import SourceError
from ecoute.store.reply_models import ReplyState
from ecoute.store.repo import Invalid
from ecoute.web.api.params import BEARER, Id
from ecoute.web.api.reply_schemas import (
    IDEMPOTENCY_KEY,
    ApproveIn,
    CheckIn,
    CheckOut,
    ConflictOut,
    DraftsOut,
    PendingOut,
    RejectIn,
    ReplyIn,
    ReplyResultOut,
    check_out,
    conflict_response,
    drafts_out,
    outcome_out,
    reply_out,
)
from ecoute.web.api.schemas import errors
from ecoute.web.deps import DbSession, WorkspaceContext, api_require
from ecoute.web.reply_deps import DatabaseDep, api_actor

router = APIRouter(prefix="/api/v1", tags=["replies"], dependencies=BEARER)
CONFLICT = {
    409: {
        "model": ConflictOut,
        "description": "Another reply went out meanwhile, or the text reads like a recent one.",
    }
}
KEY_HEADER = Header(
    alias="Idempotency-Key",
    description="One value per reply submission (a UUID): a retry with the same value never posts twice.",
)


@router.get("/conversations/{conversation_id}/drafts", response_model=DraftsOut, responses=errors(403, 404))
def get_drafts(
    session: DbSession, conversation_id: Id, ctx: Annotated[WorkspaceContext, api_require(Action.VIEW)]
) -> DraftsOut:
    """2-3 drafts in the customer's language and the saved replies filled in for this conversation."""
    conversation = queries.get_conversation(session, ctx.workspace.id, conversation_id).conversation
    data = composer_data(session, ctx.workspace, conversation, agent_name=None)
    if data is None:
        raise Invalid(f"conversation #{conversation_id} has no visible message to answer")
    return drafts_out(data)


@router.post(
    "/conversations/{conversation_id}/replies",
    response_model=ReplyResultOut,
    status_code=201,
    responses={
        **errors(403, 404, 502),
        **CONFLICT,
        200: {"model": ReplyResultOut, "description": "A replay of a known key."},
    },
)
def post_reply(
    db: DatabaseDep,
    conversation_id: Id,
    body: ReplyIn,
    ctx: Annotated[WorkspaceContext, api_actor(Action.REPLY)],
    key: Annotated[IDEMPOTENCY_KEY, KEY_HEADER],
) -> Response:
    """Send the reply (or record it, for sources that cannot post), or hold it for approval.

    A reply to a conversation answered since ``seen_reply_id`` needs ``confirm_collision``; a text
    nearly identical to a recent reply needs ``confirm_similar`` (409 says which).
    """
    try:
        outcome = submit_reply(
            db,
            ctx.workspace.id,
            conversation_id,
            body.request(key),
            role=ctx.role,
            user_id=None,
            actor=ctx.actor,
        )
    except (ReplyCollision, TooSimilar) as error:
        return conflict_response(error)
    except SourceError as error:
        return JSONResponse({"detail": f"the platform refused the reply: {error}"}, status_code=502)
    out = outcome_out(outcome)
    return JSONResponse(out.model_dump(mode="json"), status_code=200 if outcome.replayed else 201)


@router.post(
    "/conversations/{conversation_id}/replies/check", response_model=CheckOut, responses=errors(403, 404)
)
def check_reply(
    session: DbSession,
    conversation_id: Id,
    body: CheckIn,
    ctx: Annotated[WorkspaceContext, api_require(Action.VIEW)],
) -> CheckOut:
    """The variety score of a text against the team's recent replies, and the platform's limit."""
    return check_out(session, ctx.workspace.id, conversation_id, body.text)


@router.get("/replies/pending", response_model=PendingOut, responses=errors(403))
def list_pending(
    session: DbSession, ctx: Annotated[WorkspaceContext, api_require(Action.APPROVE_REPLY)]
) -> PendingOut:
    """Replies waiting for an approver, oldest first."""
    return PendingOut(
        replies=[reply_out(p.reply, p.state) for p in approval.pending_replies(session, ctx.workspace.id)]
    )


@router.post("/replies/{reply_id}/approve", response_model=ReplyResultOut, responses=errors(403, 404, 502))
def approve_reply(
    db: DatabaseDep,
    reply_id: Id,
    ctx: Annotated[WorkspaceContext, api_actor(Action.APPROVE_REPLY)],
    body: ApproveIn | None = None,
) -> Response:
    """Approve a waiting reply (``text`` replaces it when the approver edited it), then send it."""
    try:
        reply = approval.approve(
            db,
            ctx.workspace.id,
            reply_id,
            reviewer_id=None,
            actor=ctx.actor,
            text=body.text if body else None,
        )
    except SourceError as error:
        return JSONResponse({"detail": f"the platform refused the reply: {error}"}, status_code=502)
    with db.session() as session:
        out = reply_out(reply, session.get(ReplyState, reply.id))
    return JSONResponse(out.model_dump(mode="json"))


@router.post("/replies/{reply_id}/reject", response_model=ReplyResultOut, responses=errors(403, 404))
def reject_reply(
    session: DbSession,
    reply_id: Id,
    body: RejectIn,
    ctx: Annotated[WorkspaceContext, api_require(Action.APPROVE_REPLY)],
) -> ReplyResultOut:
    """Send a waiting reply back to its author with a note saying why."""
    reply = approval.reject(
        session, ctx.workspace.id, reply_id, reviewer_id=None, actor=ctx.actor, note=body.note
    )
    return reply_out(reply, session.get(ReplyState, reply.id))
