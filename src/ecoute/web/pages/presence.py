"""Collision detection for the browser: a conversation page's heartbeat (who else is here, in the
answer), and the inbox's poll of who is on which of the listed conversations.

JSON in, JSON out, behind the same session and CSRF checks as every page; the page's script
sends a heartbeat every ``HEARTBEAT_SECONDS`` and a last one (``gone``) when the page closes.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Form, HTTPException, Query
from fastapi.responses import JSONResponse

from ecoute.auth.permissions import Action
from ecoute.inbox import presence
from ecoute.web.deps import DbSession, WorkspaceContext, require
from ecoute.web.pages import page_router

router = page_router()
HEARTBEAT_SECONDS = 10
MAX_IDS = 200


@router.post("/w/{slug}/c/{conversation_id}/presence")
def heartbeat(
    session: DbSession,
    conversation_id: int,
    ctx: Annotated[WorkspaceContext, require(Action.VIEW)],
    state: Annotated[Literal["viewing", "replying", "gone"], Form()] = "viewing",
) -> JSONResponse:
    """Record this person's state; answer with the others on the conversation."""
    if ctx.user is None:
        raise HTTPException(403, "presence is for people, not API tokens")
    ws = ctx.workspace.id
    presence.touch(session, ws, conversation_id, ctx.user.id, state)
    presence.forget_stale(session, ws)  # rows of closed laptops: a handful, by the workspace index
    others = presence.others_present(session, ws, [conversation_id], ctx.user.id).get(conversation_id, [])
    return JSONResponse({"others": [p.as_json() for p in others], "every": HEARTBEAT_SECONDS})


@router.get("/w/{slug}/presence")
def who_is_where(
    session: DbSession,
    ctx: Annotated[WorkspaceContext, require(Action.VIEW)],
    ids: Annotated[str, Query(max_length=4000, pattern=r"^[0-9]+(,[0-9]+)*$")],
) -> JSONResponse:
    """``?ids=1,2,3``: who else is viewing or replying to each of these conversations."""
    wanted = [int(i) for i in ids.split(",")][:MAX_IDS]
    me = ctx.user.id if ctx.user else None
    found = presence.others_present(session, ctx.workspace.id, wanted, me)
    return JSONResponse(
        {str(cid): [p.as_json() for p in people] for cid, people in found.items()},
        headers={"Cache-Control": "no-store"},
    )
