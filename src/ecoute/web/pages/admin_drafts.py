"""Settings page: the drafts' sector, the business's own words and wordings, and a preview of the
drafts a message would get with them."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import Response

from ecoute.auth.permissions import Action
from ecoute.respond import sectors
from ecoute.respond.composer_data import brand_name
from ecoute.respond.tryout import KINDS, try_drafts
from ecoute.respond.wording import LANGUAGES
from ecoute.store.repo import Invalid
from ecoute.web.deps import DbSession, WorkspaceContext, require
from ecoute.web.pages import page_router
from ecoute.web.templating import render

router = page_router()
Manager = Annotated[WorkspaceContext, require(Action.MANAGE_DRAFTS)]
Lines = Annotated[str, Form(max_length=20_000)]
Word = Annotated[str, Form(max_length=80)]


def _page(request: Request, ctx: WorkspaceContext, status_code: int = 200, **extra: object) -> Response:
    settings = extra.pop("form", None) or sectors.load_settings(ctx.workspace).model_dump(mode="json")
    return render(
        request,
        "admin/drafts.html",
        status_code=status_code,
        section="drafts",
        form=settings,
        sectors=sectors.SECTORS,
        sector_words=sectors.all_sector_words(),
        languages=LANGUAGES,
        kinds=tuple(KINDS),
        word_keys=sectors.WORD_KEYS,
        **{"error": None, "saved": False, "preview": None, **extra},
    )


@router.get("/w/{slug}/admin/drafts")
def drafts_page(request: Request, ctx: Manager) -> Response:
    return _page(request, ctx)


@router.post("/w/{slug}/admin/drafts")
async def save_drafts(request: Request, session: DbSession, ctx: Manager) -> Response:
    """Save the settings; a bad value is named and everything typed is shown again."""
    form = await request.form()
    data = {
        "sector": str(form.get("sector", "other")),
        "products": _lines(form.get("products")),
        "places": _lines(form.get("places")),
        "other_names": _lines(form.get("other_names")),
        "contact_email": str(form.get("contact_email", "")).strip() or None,
        "words": {
            lang: {key: str(form.get(f"words_{lang}_{key}", "")) for key in sectors.WORD_KEYS}
            for lang in LANGUAGES
        },
        "wordings": str(form.get("wordings", "")),
    }
    try:
        sectors.save_settings(session, ctx.workspace, data, actor=ctx.actor)
    except Invalid as error:
        return _page(request, ctx, status_code=400, error=str(error), form=data)
    return _page(request, ctx, saved=True)


@router.post("/w/{slug}/admin/drafts/preview")
def preview(
    request: Request,
    session: DbSession,
    ctx: Manager,
    text: Annotated[str, Form(min_length=1, max_length=5000)],
    kind: Annotated[str, Form(pattern="^(complaint|question|praise|negative|other)$")] = "complaint",
    lang: Annotated[str, Form(pattern="^(fr|en)$")] = "fr",
) -> Response:
    """The drafts ``text`` would get with the saved settings (nothing is stored)."""
    drafts = try_drafts(
        text,
        kind=kind,  # type: ignore[arg-type]  (checked by the pattern above)
        lang=lang,
        catalogue=sectors.catalogue_of(ctx.workspace),
        brand_name=brand_name(session, ctx.workspace),
        timezone=ctx.workspace.timezone,
    )
    return _page(request, ctx, preview={"text": text, "kind": kind, "lang": lang, "drafts": drafts})


def _lines(value: object) -> list[str]:
    return [line.strip() for line in str(value or "").replace(",", "\n").splitlines() if line.strip()]
