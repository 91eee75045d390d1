"""The Sources page: each source's state in words (healthy, waiting for a rate limit, backing off,
needs reconnecting, paused), last success, items today, next poll and last error; and, for
admins, adding a source (RSS/Atom, Mastodon, Bluesky, signed webhook), testing it against its
platform, polling it now, pausing, reconnecting and removing it. Every member may read it;
changes take ``manage_sources`` and are audited. Works without JavaScript: each action is a form.
"""

from __future__ import annotations

import re
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from babel.dates import format_time
from fastapi import Form, HTTPException, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from ecoute.auth.permissions import Action
from ecoute.settings import Settings
from ecoute.sources import checks, manage, status
from ecoute.sources.connect import providers
from ecoute.sources.jobs import pollable
from ecoute.store import repo
from ecoute.store.models import Source
from ecoute.store.repo import NotFound
from ecoute.store.types import MAX_ID, utcnow
from ecoute.web.deps import DbSession, WorkspaceContext, get_settings, page_translator, require
from ecoute.web.i18n import Translator
from ecoute.web.pages import page_router
from ecoute.web.security import allow_form_action
from ecoute.web.templating import render

router = page_router()
Manager = Annotated[WorkspaceContext, require(Action.MANAGE_SOURCES)]
SourceId = Annotated[int, Path(ge=1, le=MAX_ID)]
Text = Annotated[str, Form(max_length=500)]
# The forms of the page, one per type, and the settings each one asks for (secrets never echoed).
FORMS: dict[str, tuple[str, ...]] = {
    "rss": ("url",),
    "mastodon": ("instance", "access_token", "hashtags", "searches"),
    "bluesky": ("identifier", "app_password", "service", "searches"),
    "webhook": (),
    "google_reviews": ("account_id", "location_id", "client_id", "client_secret", "refresh_token"),
    "trustpilot": ("domain", "api_key"),
}
SECRET_FIELDS = ("access_token", "app_password", "secret", "client_secret", "refresh_token", "api_key")
CONNECT_OUTCOMES = frozenset(
    {
        "connected",
        "reconnected",
        "denied",
        "provider_error",
        "expired",
        "token_failed",
        "invalid",
        "forbidden",
        "no_pages",
        "not_listed",
    }
)
_DETAIL = re.compile(r"[\w .,:()'/-]{1,200}")


def _page(
    request: Request, session: Session, ctx: WorkspaceContext, status_code: int = 200, **extra: Any
) -> Response:
    i18n = page_translator(request)
    settings = get_settings(request)
    now = utcnow()
    rows = status.statuses(session, ctx.workspace, now)
    # "Connect with …" forms answer with a redirect to the platform's consent page.
    consent = [providers.PROVIDERS[c.provider] for c in providers.connectable()]
    allow_form_action(request, [p.authorize_url for p in consent if p.configured(settings)])
    return render(
        request,
        "sources.html",
        status_code=status_code,
        rows=rows,
        words={row.id: state_words(i18n, row) for row in rows},
        checkable={row.id: checks.checkable(row.kind) for row in rows},
        pollable={row.id: pollable(row.kind) for row in rows},
        reconnectable={row.id: row.kind in manage.CREDENTIALS for row in rows},
        brands=[b.name for b in repo.list_brands(session, ctx.workspace.id)],
        forms=FORMS,
        connectable=[_connectable(c, settings) for c in providers.connectable()],
        oauth_reconnect={row.id: _label(row.kind, settings) for row in rows if _label(row.kind, settings)},
        can_manage=ctx.can(Action.MANAGE_SOURCES),
        when=lambda value: i18n.datetime(value, "short") if value else "—",
        **{"error": None, "added": None, "result": None, "values": {}, "connected": None, **extra},
    )


def _connectable(conn: providers.Connection, settings: Settings) -> dict[str, Any]:
    provider = providers.PROVIDERS[conn.provider]
    return {
        "kind": conn.kind,
        "label": provider.label,
        "env": f"ECOUTE_OAUTH_{provider.name.upper()}_CLIENT_ID",
        "configured": provider.configured(settings),
        "asks": conn.asks,
        "optional": conn.optional,
    }


def _label(kind: str, settings: Settings) -> str:
    """The platform's name when a source of ``kind`` can be reconnected through OAuth here."""
    conn = providers.connection(kind)
    provider = providers.PROVIDERS[conn.provider] if conn else None
    return provider.label if provider and provider.configured(settings) else ""


def connect_notice(outcome: str, name: str, detail: str) -> dict[str, str] | None:
    """What the page says after a connect flow, read from its address (words only: an outcome
    among ``CONNECT_OUTCOMES``, a source's name, the platform's error code)."""
    if outcome not in CONNECT_OUTCOMES:
        return None
    return {"outcome": outcome, "name": name[:200], "detail": detail if _DETAIL.fullmatch(detail) else ""}


def state_words(i18n: Translator, row: status.SourceStatus) -> str:
    if row.state == "rate_limited" and row.next_poll_at:
        at = format_time(row.next_poll_at, "short", tzinfo=_zone(i18n), locale=i18n.babel)
        return i18n.t("sources.state.rate_limited_until", time=at)
    if row.state == "backing_off":
        return i18n.t("sources.state.backing_off", n=row.failures)
    if row.state == "new" and not pollable(row.kind):
        return i18n.t("sources.state.push")
    return i18n.t(f"sources.state.{row.state}")


def _zone(i18n: Translator) -> ZoneInfo:
    return ZoneInfo(i18n.timezone)


@router.get("/w/{slug}/sources")
def sources_page(
    request: Request,
    session: DbSession,
    ctx: Annotated[WorkspaceContext, require(Action.VIEW)],
    connect: Annotated[str, Query(max_length=32)] = "",
    name: Annotated[str, Query(max_length=200)] = "",
    detail: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    """The page; ``connect`` (with ``name``, ``detail``) says how a "Connect with …" flow ended."""
    return _page(request, session, ctx, connected=connect_notice(connect, name, detail))


@router.post("/w/{slug}/sources")
def add_source(
    request: Request,
    session: DbSession,
    ctx: Manager,
    kind: Annotated[str, Form(max_length=32)],
    name: Annotated[str, Form(max_length=manage.MAX_NAME)] = "",
    brand: Annotated[str, Form(max_length=200)] = "",
    url: Annotated[str, Form(max_length=2000)] = "",
    instance: Text = "",
    access_token: Text = "",
    hashtags: Text = "",
    searches: Text = "",
    identifier: Text = "",
    app_password: Text = "",
    service: Text = "",
    account_id: Text = "",
    location_id: Text = "",
    client_id: Text = "",
    client_secret: Text = "",
    refresh_token: Text = "",
    domain: Text = "",
    api_key: Text = "",
) -> Response:
    given = {
        "url": url,
        "instance": instance,
        "access_token": access_token,
        "hashtags": hashtags,
        "searches": searches,
        "identifier": identifier,
        "app_password": app_password,
        "service": service,
        "account_id": account_id,
        "location_id": location_id,
        "client_id": client_id,
        "client_secret": client_secret,
        "refresh_token": refresh_token,
        "domain": domain,
        "api_key": api_key,
    }
    values = {k: v for k, v in given.items() if k in FORMS.get(kind, ())}
    try:
        added = manage.add_source(
            session,
            ctx.workspace.id,
            name,
            kind,
            values,
            settings=get_settings(request),
            actor=ctx.actor,
            brand=brand or None,
        )
    except manage.SettingInvalid as error:
        shown = {k: v for k, v in values.items() if k not in SECRET_FIELDS}
        return _page(
            request,
            session,
            ctx,
            status_code=400,
            error={"kind": kind, "field": error.field, "message": error.reason},
            values={"name": name, "brand": brand, **shown},
        )
    session.flush()
    return _page(
        request, session, ctx, added={"name": added.source.name, "kind": kind, "secret": added.shown_secret}
    )


@router.post("/w/{slug}/sources/{source_id}/test")
def test_source(request: Request, session: DbSession, ctx: Manager, source_id: SourceId) -> Response:
    source = _source(session, ctx, source_id)
    result = checks.check_source(source.kind, source.settings or {}, get_settings(request))
    manage.record_check(session, source, result.ok, result.kind, actor=ctx.actor)
    return _page(request, session, ctx, result=_shown(source, result))


@router.post("/w/{slug}/sources/{source_id}/reconnect")
def reconnect_source(
    request: Request,
    session: DbSession,
    ctx: Manager,
    source_id: SourceId,
    access_token: Text = "",
    app_password: Text = "",
) -> Response:
    """New credentials, tested against the platform first: saved (and the source healthy again)
    only when the platform accepts them."""
    source = _source(session, ctx, source_id)
    needed = manage.CREDENTIALS.get(source.kind, ())
    given = {
        k: v for k, v in {"access_token": access_token, "app_password": app_password}.items() if k in needed
    }
    settings = get_settings(request)
    missing = [k for k in needed if not given.get(k, "").strip()] or (["access_token"] if not needed else [])
    if missing:
        message = page_translator(request).t("sources.reconnect_missing")
        error = {"source_id": source.id, "field": missing[0], "message": message}
        return _page(request, session, ctx, status_code=400, error=error)
    result = checks.check_source(source.kind, manage.credentials_for(source, given, settings), settings)
    if not result.ok:
        error = {"source_id": source.id, "field": needed[0], "message": result.message}
        return _page(request, session, ctx, status_code=400, result=_shown(source, result), error=error)
    manage.reconnect(session, source, given, settings=settings, actor=ctx.actor)
    session.flush()
    return _page(request, session, ctx, result=_shown(source, result))


@router.post("/w/{slug}/sources/{source_id}/poll")
def poll_now(session: DbSession, ctx: Manager, source_id: SourceId) -> Response:
    manage.poll_now(session, _source(session, ctx, source_id), actor=ctx.actor)
    return _back(ctx)


@router.post("/w/{slug}/sources/{source_id}/pause")
def pause_source(session: DbSession, ctx: Manager, source_id: SourceId) -> Response:
    manage.set_paused(session, _source(session, ctx, source_id), True, actor=ctx.actor)
    return _back(ctx)


@router.post("/w/{slug}/sources/{source_id}/resume")
def resume_source(session: DbSession, ctx: Manager, source_id: SourceId) -> Response:
    manage.set_paused(session, _source(session, ctx, source_id), False, actor=ctx.actor)
    return _back(ctx)


@router.post("/w/{slug}/sources/{source_id}/remove")
def remove_source(
    request: Request,
    session: DbSession,
    ctx: Manager,
    source_id: SourceId,
    confirm: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Removed only when the confirmation box holds the source's name; its mentions stay."""
    source = _source(session, ctx, source_id)
    if confirm.strip() != source.name:
        error = {
            "source_id": source.id,
            "field": "confirm",
            "message": page_translator(request).t("sources.remove_confirm_needed", name=source.name),
        }
        return _page(request, session, ctx, status_code=400, error=error)
    manage.remove_source(session, source, actor=ctx.actor)
    return _back(ctx)


def _source(session: Session, ctx: WorkspaceContext, source_id: int) -> Source:
    try:
        return manage.require_source(session, ctx.workspace.id, source_id)
    except NotFound as error:
        raise HTTPException(404, str(error)) from None


def _shown(source: Source, result: checks.CheckResult) -> dict[str, Any]:
    return {
        "source_id": source.id,
        "ok": result.ok,
        "message": result.message,
        "kind": result.kind,
        "checkable": result.checkable,
    }


def _back(ctx: WorkspaceContext) -> Response:
    return RedirectResponse(f"/w/{ctx.workspace.slug}/sources", status_code=303)
