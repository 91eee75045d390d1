"""``/api/v1`` root router. Each API area is a module with its own ``APIRouter`` included here.

Routes take ``ctx: Annotated[WorkspaceContext, api_require(Action.X)]`` and read only
``ctx.workspace.id``'s data; responses are pydantic models so ``/openapi.json`` describes them.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel

from ecoute.auth.permissions import Action
from ecoute.web.api.schemas import errors
from ecoute.web.deps import WorkspaceContext, api_require

router = APIRouter(prefix="/api/v1", tags=["workspace"])


class WorkspaceOut(BaseModel):
    slug: str
    name: str
    locale: str
    timezone: str
    role: str


@router.get("/workspace", response_model=WorkspaceOut, responses=errors(403))
def current_workspace(ctx: Annotated[WorkspaceContext, api_require(Action.VIEW)]) -> WorkspaceOut:
    """The workspace this token belongs to, and the token's role in it."""
    w = ctx.workspace
    return WorkspaceOut(slug=w.slug, name=w.name, locale=w.locale, timezone=w.timezone, role=ctx.role)
