"""``POST /api/v1/mentions``: push items (Écoute's import format) to be stored and analysed.

The push is acknowledged once its items are safe — recorded as one ``ingest.items`` job in the
database — and an ``ingest`` worker stores and analyses them through the one ingest path, so a
caller never waits for the analysis. Records that cannot become items are refused one by one
(index, field, reason) and the good ones around them are kept.
"""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import select

from ecoute.auth.permissions import Action
from ecoute.normalise import screen
from ecoute.sources.base import RawItem, Rejected
from ecoute.sources.file import record_to_item
from ecoute.sources.jobs import defer_items
from ecoute.store.models import Source
from ecoute.web.api.params import BEARER
from ecoute.web.api.schemas import errors
from ecoute.web.deps import DbSession, WorkspaceContext, api_require
from ecoute.web.input_guard import per_record_body

router = APIRouter(prefix="/api/v1/mentions", tags=["mentions"], dependencies=BEARER)
MAX_ITEMS = 1000


class PushIn(BaseModel):
    items: list[dict[str, Any]] = Field(
        min_length=1,
        max_length=MAX_ITEMS,
        description="Items in Écoute's import format (only `text` and `created_at` are required).",
    )
    source: str | None = Field(
        default=None,
        max_length=200,
        description="Name of one of the workspace's sources the items come from.",
    )
    key: str | None = Field(
        default=None,
        min_length=8,
        max_length=200,
        description="Idempotency key: the same key again is accepted once (default: the items' digest).",
    )


class PushReject(BaseModel):
    index: int
    field: str | None
    reason: str


class PushOut(BaseModel):
    accepted: int
    rejected: list[PushReject]
    job_id: int | None = Field(description="The ingest job (null when this push was already accepted).")


@router.post("", response_model=PushOut, status_code=202, responses=errors(403, 404, 422))
@per_record_body("items")
def push_mentions(
    session: DbSession,
    body: PushIn,
    ctx: Annotated[WorkspaceContext, api_require(Action.MANAGE_SOURCES)],
) -> JSONResponse:
    """Accept items to store and analyse in the background (202); refused records are listed."""
    source_id = None
    if body.source is not None:
        source_id = session.scalar(
            select(Source.id).where(Source.workspace_id == ctx.workspace.id, Source.name == body.source)
        )
        if source_id is None:
            return JSONResponse({"detail": f"source: no source named {body.source!r}"}, status_code=404)
    items: list[RawItem] = []
    rejected: list[PushReject] = []
    for index, record in enumerate(body.items):
        found = record_to_item(record, f"items[{index}]")
        if isinstance(found, RawItem):
            found = screen(found)  # nothing the database cannot store is kept in the job
        if isinstance(found, Rejected):
            rejected.append(PushReject(index=index, field=found.field, reason=found.reason))
        else:
            items.append(found)
    if not items:
        reasons = "; ".join(f"items[{r.index}] [{r.field}]: {r.reason}" for r in rejected[:20])
        return JSONResponse({"detail": f"no item to store: {reasons}"}, status_code=422)
    digest = hashlib.sha256(json.dumps(body.items, sort_keys=True, default=str).encode()).hexdigest()
    key = f"push:{ctx.workspace.id}:{body.key or digest}"
    job_id = defer_items(session, ctx.workspace.id, items, key=key, source_id=source_id)
    out = PushOut(accepted=len(items), rejected=rejected, job_id=job_id)
    return JSONResponse(out.model_dump(mode="json"), status_code=202)
