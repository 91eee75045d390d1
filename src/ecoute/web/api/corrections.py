"""``/api/v1/corrections``: an agent fixes a mention's sentiment or intent; the workspace's model
learns from these (``ecoute train``) and the corrected label is what everyone sees from then on."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from ecoute.auth.permissions import Action
from ecoute.inbox import relabel
from ecoute.store.models import User
from ecoute.store.people import Correction
from ecoute.web.api import paging
from ecoute.web.api.params import BEARER
from ecoute.web.api.schemas import MAX_ID, CorrectionIn, CorrectionOut, CorrectionPage, errors, user_ref
from ecoute.web.deps import DbSession, WorkspaceContext, api_require, get_settings

router = APIRouter(prefix="/api/v1/corrections", tags=["corrections"], dependencies=BEARER)


def _out(correction: Correction, user: User | None) -> CorrectionOut:
    return CorrectionOut(
        id=correction.id,
        mention_id=correction.mention_id,
        field=correction.field,
        old_value=correction.old_value,
        new_value=correction.new_value,
        user=user_ref(user),
        created_at=correction.created_at,
    )


@router.post("", status_code=201, response_model=CorrectionOut, responses=errors(403, 404))
def create_correction(
    session: DbSession,
    body: CorrectionIn,
    ctx: Annotated[WorkspaceContext, api_require(Action.CORRECT_LABEL)],
) -> CorrectionOut:
    """Correct a label. 404 when the mention is not in this workspace; audited as ``mention.correct``."""
    user_id = ctx.user.id if ctx.user else None
    correction = relabel.correct_label(
        session, ctx.workspace.id, body.mention_id, body.field, body.value, user_id=user_id, actor=ctx.actor
    )
    return _out(correction, ctx.user)


@router.get("", response_model=CorrectionPage, responses=errors(403))
def list_corrections(
    request: Request,
    session: DbSession,
    ctx: Annotated[WorkspaceContext, api_require(Action.VIEW)],
    mention: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    cursor: paging.Cursor = None,
    limit: paging.Limit = paging.DEFAULT_LIMIT,
) -> CorrectionPage:
    """Corrections, newest first (optionally of one mention)."""
    secret = get_settings(request).secret_key
    scope = paging.scope_of(ctx.workspace.id, kind="corrections", mention=mention)
    before_id = int(paging.decode(secret, scope, cursor)[0]) if cursor else None
    rows = relabel.list_corrections(
        session, ctx.workspace.id, mention_id=mention, before_id=before_id, limit=limit + 1
    )
    next_cursor = paging.encode(secret, scope, [rows[limit - 1][0].id]) if len(rows) > limit else None
    return CorrectionPage(items=[_out(c, user) for c, user in rows[:limit]], next_cursor=next_cursor)
