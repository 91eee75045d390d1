"""Jinja2 templates with the helpers every page uses: ``t()``, formatting, CSRF and static URLs."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import HTMLResponse

from ecoute.auth.permissions import can
from ecoute.urls import external_url
from ecoute.web.deps import page_translator
from ecoute.web.pages.deadline_view import badge
from ecoute.web.pages.desk_icons import icon

TEMPLATE_DIR = Path(__file__).with_name("templates")
STATIC_DIR = Path(__file__).with_name("static")


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(TEMPLATE_DIR))
    templates.env.globals["static"] = static_url
    templates.env.globals["role_can"] = can  # the top bar shows each role the pages it may open
    templates.env.globals["nav_icon"] = icon
    templates.env.globals["deadline_badge"] = badge
    # Every link to an address from outside goes through this: not a plain http(s) address, no link.
    templates.env.filters["safe_href"] = external_url
    templates.env.trim_blocks = True
    templates.env.lstrip_blocks = True
    # The templates ship with the package: a page need not ask the file system whether each one
    # it includes has changed (a stat per template per page). A restart reloads them.
    templates.env.auto_reload = False
    return templates


@cache
def _fingerprint(name: str) -> str:
    return hashlib.sha256((STATIC_DIR / name).read_bytes()).hexdigest()[:10]


def static_url(name: str) -> str:
    """``/static/<name>?v=<hash>``: cacheable for ever, refreshed when the file changes."""
    return f"/static/{name}?v={_fingerprint(name)}"


def csrf_token(request: Request) -> str:
    viewer = getattr(request.state, "viewer", None)
    if viewer is not None:
        return viewer.csrf_token
    return getattr(request.state, "csrf", None) or request.cookies.get("ecoute_csrf", "")


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render a page with the request's language, login, workspace and CSRF token in scope."""
    i18n = page_translator(request)
    return request.app.state.templates.TemplateResponse(
        request,
        template,
        {
            "i18n": i18n,
            "t": i18n.t,
            "viewer": getattr(request.state, "viewer", None),
            "ws": getattr(request.state, "workspace", None),
            "csrf_token": csrf_token(request),
            **context,
        },
        status_code=status_code,
    )
