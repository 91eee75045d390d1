"""Server-rendered pages. Each module exposes ``router = page_router()`` and is listed in
``ecoute.web.app.ROUTERS``; ``page_router`` adds CSRF protection and keeps pages out of OpenAPI."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from ecoute.web.deps import csrf_protect, optional_login


def page_router() -> APIRouter:
    # optional_login first so every page (error pages included) knows who is looking.
    return APIRouter(include_in_schema=False, dependencies=[Depends(optional_login), Depends(csrf_protect)])
