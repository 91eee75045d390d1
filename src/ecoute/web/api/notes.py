"""``/api/v1/conversations/{id}/notes``: the team's internal notes on a conversation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request

from ecoute.auth.permissions import Action
from ecoute.inbox import notes
from ecoute.store.models import User
from ecoute.store.people import Note
from ecoute.web.api import paging
from ecoute.web.api.params import BEARER, Id
from ecoute.web.api.schemas import NoteIn, NoteOut, NotePage, errors, user_ref
from ecoute.web.deps import DbSession, WorkspaceContext, api_require, get_settings

router = APIRouter(
    prefix="/api/v1/conversations/{conversation_id}/notes", tags=["notes"], dependencies=BEARER
)


def _out(note: Note, user: User | None) -> NoteOut:
    return NoteOut(
        id=note.id,
        conversation_id=note.conversation_id,
        text=note.text,
        author=user_ref(user),
        created_at=note.created_at,
    )


@router.get("", response_model=NotePage, responses=errors(403, 404))
def list_notes(
    request: Request,
    session: DbSession,
    conversation_id: Id,
    ctx: Annotated[WorkspaceContext, api_require(Action.VIEW)],
    cursor: paging.Cursor = None,
    limit: paging.Limit = paging.DEFAULT_LIMIT,
) -> NotePage:
    """Notes, oldest first."""
    secret = get_settings(request).secret_key
    scope = paging.scope_of(ctx.workspace.id, kind="notes", conversation=conversation_id)
    after_id = int(paging.decode(secret, scope, cursor)[0]) if cursor else 0
    rows = notes.list_notes(session, ctx.workspace.id, conversation_id, after_id=after_id, limit=limit + 1)
    next_cursor = paging.encode(secret, scope, [rows[limit - 1][0].id]) if len(rows) > limit else None
    return NotePage(items=[_out(note, user) for note, user in rows[:limit]], next_cursor=next_cursor)


@router.post("", status_code=201, response_model=NoteOut, responses=errors(403, 404))
def add_note(
    session: DbSession,
    conversation_id: Id,
    body: NoteIn,
    ctx: Annotated[WorkspaceContext, api_require(Action.NOTE)],
) -> NoteOut:
    """Add an internal note (never sent to the customer)."""
    user_id = ctx.user.id if ctx.user else None
    note = notes.add_note(
        session, ctx.workspace.id, conversation_id, body.text, user_id=user_id, actor=ctx.actor
    )
    return _out(note, ctx.user)
