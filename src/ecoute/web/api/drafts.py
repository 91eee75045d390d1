"""``/api/v1/drafts``: the workspace's drafts settings (sector, its own words and wordings) and a
preview of the drafts a message would get with them.

Any member may read the settings and preview; changing them needs ``manage_drafts`` (admins and
owners) and is audited as ``workspace.drafts``. See docs/drafts.md for the wordings' format.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body
from pydantic import BaseModel, Field

from ecoute.auth.permissions import Action
from ecoute.respond import sectors
from ecoute.respond.composer_data import brand_name
from ecoute.respond.sectors import DraftSettings
from ecoute.respond.tryout import try_drafts
from ecoute.web.api.params import BEARER
from ecoute.web.api.reply_schemas import DraftOut
from ecoute.web.api.schemas import In, errors
from ecoute.web.deps import DbSession, WorkspaceContext, api_require

router = APIRouter(prefix="/api/v1/drafts", tags=["drafts"], dependencies=BEARER)


class DraftSettingsOut(BaseModel):
    settings: DraftSettings
    sectors: list[str] = Field(description="The sectors to choose from ('other': neutral wordings).")
    sector_words: dict[str, dict[str, str]] = Field(
        description="The chosen sector's own words per language, used where the workspace has none."
    )


class PreviewIn(In):
    text: Annotated[str, Field(min_length=1, max_length=5000)]
    kind: Literal["complaint", "question", "praise", "negative", "other"] = "complaint"
    lang: Literal["fr", "en"] = "fr"
    platform: Annotated[str, Field(max_length=40)] = "facebook"
    author_name: Annotated[str | None, Field(max_length=120)] = None


class PreviewOut(BaseModel):
    drafts: list[DraftOut]
    problem: str | None = Field(description="How the drafts name the message's problem, if they found one.")


def _out(settings: DraftSettings) -> DraftSettingsOut:
    words = {lang: sectors.sector_words(settings.sector, lang) for lang in ("fr", "en")}
    return DraftSettingsOut(settings=settings, sectors=list(sectors.SECTORS), sector_words=words)


@router.get("/settings", response_model=DraftSettingsOut, responses=errors(403))
def get_draft_settings(ctx: Annotated[WorkspaceContext, api_require(Action.VIEW)]) -> DraftSettingsOut:
    """The sector, products, places, own words and wordings the drafts use (defaults filled in)."""
    return _out(sectors.load_settings(ctx.workspace))


@router.put("/settings", response_model=DraftSettingsOut, responses=errors(403))
def put_draft_settings(
    session: DbSession,
    ctx: Annotated[WorkspaceContext, api_require(Action.MANAGE_DRAFTS)],
    body: Annotated[dict[str, Any], Body(description="Like the 'settings' of GET; omitted parts: defaults.")],
) -> DraftSettingsOut:
    """Replace the settings (validated: a bad wording names its line or field; audited)."""
    return _out(sectors.save_settings(session, ctx.workspace, body, actor=ctx.actor))


@router.post("/preview", response_model=PreviewOut, responses=errors(403))
def preview_drafts(
    session: DbSession, ctx: Annotated[WorkspaceContext, api_require(Action.VIEW)], body: PreviewIn
) -> PreviewOut:
    """The drafts a customer's message would get with the saved settings (nothing is stored)."""
    drafts = try_drafts(
        body.text,
        kind=body.kind,
        lang=body.lang,
        catalogue=sectors.catalogue_of(ctx.workspace),
        brand_name=brand_name(session, ctx.workspace),
        platform=body.platform,
        author_name=body.author_name,
        timezone=ctx.workspace.timezone,
    )
    problem = drafts[0].specifics.get("problem") if drafts else None
    return PreviewOut(
        drafts=[DraftOut.of(d) for d in drafts],
        problem=problem,
    )
