"""``/api/v1/exports/{mentions|conversations}.{csv|xlsx}``: everything the inbox's filters select,
streamed (CSV from batches read by keyset, XLSX written in constant memory then sent in chunks).

Columns and rules (dates in UTC, formulas neutralised) in ``ecoute.inbox.exports`` and
``docs/exports.md``. Any member may export what they can read.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from ecoute.auth.permissions import Action
from ecoute.inbox import exports
from ecoute.inbox.queries import InboxFilters
from ecoute.store.types import utcnow
from ecoute.web.api.conversations import Filters
from ecoute.web.api.params import BEARER
from ecoute.web.api.schemas import errors
from ecoute.web.deps import WorkspaceContext, api_require, get_db, get_settings

router = APIRouter(prefix="/api/v1/exports", tags=["exports"], dependencies=BEARER)
Kind = Literal["mentions", "conversations"]
Format = Literal["csv", "xlsx"]
FILE = {
    200: {
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            exports.MEDIA_TYPES["xlsx"]: {"schema": {"type": "string", "format": "binary"}},
        },
        "description": "The file, streamed: CSV in UTF-8 with a byte-order mark, or an XLSX workbook.",
    },
    **errors(403),
}


@router.get("/{kind}.{fmt}", response_class=StreamingResponse, responses=FILE)  # type: ignore[arg-type]
def export(
    request: Request,
    ctx: Annotated[WorkspaceContext, api_require(Action.VIEW)],
    kind: Kind,
    fmt: Format,
    filters: Filters,
) -> StreamingResponse:
    """The mentions (oldest first) or conversations (in the inbox's order) the filters select, as
    CSV or XLSX. For mentions, the dates, platform, sentiment, language, brand and source select
    the mentions themselves; the other filters, their conversations. No status: every status."""
    return export_response(request, ctx.workspace.id, ctx.workspace.slug, kind, fmt, filters)


def export_response(
    request: Request, workspace_id: int, slug: str, kind: str, fmt: str, filters: InboxFilters
) -> StreamingResponse:
    """The export as a download (the API's and the inbox's Export menu)."""
    exports.check(kind, fmt)
    db = get_db(request)
    batches = exports.rows(
        db.session, workspace_id, kind, filters, secret=get_settings(request).secret_key, now=utcnow()
    )
    name = exports.file_name(slug, kind, fmt)
    return StreamingResponse(
        exports.stream(kind, fmt, batches),
        media_type=exports.MEDIA_TYPES[fmt],
        headers={"content-disposition": f'attachment; filename="{name}"', "cache-control": "no-store"},
    )
