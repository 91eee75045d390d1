""" "Connect with <platform>" on the Sources page: an admin starts the OAuth 2 authorization code
flow for a new source (or to reconnect one), consents on the platform, and comes back to
``/oauth/callback``, where the code is exchanged server-side and the refresh token sealed into the
source's settings. One callback address for the whole installation (``ECOUTE_PUBLIC_URL`` +
``/oauth/callback``), since platforms want every redirect URI registered; the workspace, the
person and the source come from the state kept server-side, never from the browser.

Every outcome ends on the Sources page in words (connected, refused on the platform, expired,
the token endpoint failing); a refused or failed flow stores nothing. Tokens are never logged,
shown or put in an address.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from ecoute.auth import users
from ecoute.auth.permissions import Action, can
from ecoute.settings import Settings
from ecoute.sources import manage
from ecoute.sources.connect import choices, flow, providers, states
from ecoute.store.models import Source, Workspace
from ecoute.web.deps import DbSession, Login, WorkspaceContext, get_settings, page_translator, require
from ecoute.web.pages import page_router
from ecoute.web.pages.sources import SourceId, _page, _source
from ecoute.web.templating import render

logger = logging.getLogger(__name__)
router = page_router()
Manager = Annotated[WorkspaceContext, require(Action.MANAGE_SOURCES)]
Field = Annotated[str, Form(max_length=200)]


async def _typed(request: Request) -> dict[str, str]:
    """The form's text fields (the page declares them per connection: ``Connection.asks`` and
    ``Connection.optional``), read once for every connection."""
    return {k: v for k, v in (await request.form()).items() if isinstance(v, str)}


Typed = Annotated[dict[str, str], Depends(_typed)]
MAX_ASKED, MAX_OPTIONAL = 200, 500  # a username or an id; a list of searches


@router.post("/w/{slug}/sources/connect")
def start_connect(
    request: Request,
    session: DbSession,
    ctx: Manager,
    typed: Typed,
    kind: Annotated[str, Form(max_length=32)],
    name: Annotated[str, Form(max_length=manage.MAX_NAME)] = "",
    brand: Field = "",
) -> Response:
    """Check what the admin typed, keep it server-side with a new state, and send them to consent."""
    settings = get_settings(request)
    i18n = page_translator(request)
    conn = providers.connection(kind)
    if conn is None or not any(c.kind == kind for c in providers.connectable()):
        return _refused(
            request, session, ctx, "", "type", i18n.t("sources.connect.unknown_kind", kind=kind[:32])
        )
    provider = providers.PROVIDERS[conn.provider]
    if not provider.configured(settings):
        return _refused(
            request,
            session,
            ctx,
            "",
            "type",
            i18n.t("sources.connect.not_configured", label=provider.label),
        )
    values = {k: typed[k].strip() for k in (*conn.asks, *conn.optional) if typed.get(k, "").strip()}
    try:
        manage.check_new_name(session, ctx.workspace.id, name, brand or None)
        for key, value in values.items():
            limit = MAX_ASKED if key in conn.asks else MAX_OPTIONAL
            if len(value) > limit:
                raise manage.SettingInvalid(key, f"at most {limit} characters (got {len(value)})")
        for key in conn.asks:
            if not values.get(key):
                page = kind.replace("_", "-")
                raise manage.SettingInvalid(key, f"a {kind} source needs it (see docs/sources/{page}.md)")
    except manage.SettingInvalid as error:
        return _refused(
            request, session, ctx, kind, error.field, error.reason, values={"name": name, **values}
        )
    pending = {"name": name.strip(), "brand": brand.strip(), "values": values}
    return _to_consent(request, session, ctx, kind, pending=pending)


@router.post("/w/{slug}/sources/{source_id}/connect")
def start_reconnect(request: Request, session: DbSession, ctx: Manager, source_id: SourceId) -> Response:
    """The same flow for an existing source: its new refresh token replaces the old one."""
    source = _source(session, ctx, source_id)
    conn = providers.connection(source.kind)
    settings = get_settings(request)
    if conn is None or not providers.PROVIDERS[conn.provider].configured(settings):
        message = page_translator(request).t("sources.connect.unknown_kind", kind=source.kind)
        return _page(
            request,
            session,
            ctx,
            status_code=400,
            error={"source_id": source.id, "field": "connect", "message": message},
        )
    return _to_consent(request, session, ctx, source.kind, source_id=source.id)


def _to_consent(
    request: Request,
    session: Session,
    ctx: WorkspaceContext,
    kind: str,
    *,
    pending: dict[str, Any] | None = None,
    source_id: int | None = None,
) -> Response:
    settings = get_settings(request)
    conn = providers.CONNECTIONS[kind]
    provider = providers.PROVIDERS[conn.provider]
    assert ctx.user is not None  # a page: a person, never an API token
    started = states.start(
        session,
        settings,
        workspace_id=ctx.workspace.id,
        user_id=ctx.user.id,
        kind=kind,
        pkce=provider.pkce,
        source_id=source_id,
        pending=pending,
    )
    url = flow.authorize_url(
        provider,
        settings,
        scopes=conn.scopes,
        state=started.state,
        redirect_uri=providers.redirect_uri(settings),
        code_challenge=started.code_challenge,
    )
    logger.info("source.connect_started", extra={"kind": kind, "workspace_id": ctx.workspace.id})
    return RedirectResponse(url, status_code=303)


def _refused(
    request: Request,
    session: Session,
    ctx: WorkspaceContext,
    kind: str,
    field: str,
    message: str,
    values: dict[str, Any] | None = None,
) -> Response:
    # With a type, the error is shown in its form; without (no such form), above the page.
    error = {"kind": f"connect-{kind}" if kind else "connect", "field": field, "message": message}
    return _page(request, session, ctx, status_code=400, error=error, values=values or {})


Given = Annotated[str, Query(max_length=2000)]


@router.get(providers.CALLBACK_PATH)
def callback(
    request: Request,
    session: DbSession,
    state: Given = "",
    code: Given = "",
    error: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    """Where the platform sends the admin back, with ``code`` or ``error``, and ``state``."""
    settings = get_settings(request)
    login: Login | None = getattr(request.state, "login", None)
    try:
        consumed = states.consume(session, settings, state, user_id=login.user.id if login else None)
    except states.StateRefused as refused:
        return _callback_refused(request, session, refused)
    row = consumed.row
    workspace = session.get(Workspace, row.workspace_id)
    assert workspace is not None and login is not None  # cascade-deleted otherwise; checked by consume
    role = users.get_role(session, workspace.id, login.user.id)
    if role is None or not can(role, Action.MANAGE_SOURCES):
        return _back(workspace, "forbidden")
    if error:
        outcome = "denied" if error == "access_denied" else "provider_error"
        return _back(workspace, outcome, detail=error)
    provider = providers.provider_of(row.kind)
    conn = providers.CONNECTIONS[row.kind]
    try:
        tokens = flow.exchange_code(
            provider,
            settings,
            code=code,
            redirect_uri=providers.redirect_uri(settings),
            verifier=consumed.verifier,
        )
        # Meta: the token is the person's; what the source gets is one of the accounts it lists.
        listed = conn.choose(provider, settings, tokens, row.kind) if conn.choose else None
    except flow.ExchangeFailed as failed:
        logger.info("source.connect_failed", extra={"kind": row.kind, "workspace_id": workspace.id})
        return _back(workspace, "token_failed", detail=failed.reason)
    actor = f"user:{login.user.id}:{login.user.email}"
    target = Target(row.kind, row.source_id, dict(row.pending or {}))
    if listed is None:
        return _save(session, settings, workspace, target, tokens, actor=actor)
    return _to_choice(session, settings, workspace, login.user.id, target, listed, actor=actor)


@dataclass(frozen=True)
class Target:
    """What a flow is for: a new source of ``kind`` (``pending``: its name, brand, typed settings)
    or the existing source ``source_id``."""

    kind: str
    source_id: int | None
    pending: dict[str, Any]


def _to_choice(
    session: Session,
    settings: Settings,
    workspace: Workspace,
    user_id: int,
    target: Target,
    listed: list[choices.Choice],
    *,
    actor: str,
) -> Response:
    """No account to pick says so; a reconnection takes the source's own account at once (or
    says it is not listed); otherwise the admin is shown what to pick from."""
    if not listed:
        return _back(workspace, "no_pages")
    if target.source_id is not None:
        source = session.get(Source, target.source_id)
        key = providers.CONNECTIONS[target.kind].account_setting
        own = str((source.settings or {}).get(key, "")) if source and key else ""
        mine = next((c for c in listed if c.id == own), None)
        if mine is None:
            return _back(workspace, "not_listed")
        return _save(session, settings, workspace, target, mine.values, actor=actor)
    choices.keep(
        session,
        settings,
        workspace_id=workspace.id,
        user_id=user_id,
        kind=target.kind,
        source_id=None,
        pending=target.pending,
        choices=listed,
    )
    return RedirectResponse(f"/w/{workspace.slug}{CHOOSE_PATH}", status_code=303)


CHOOSE_PATH = "/sources/connect/choose"


@router.get("/w/{slug}" + CHOOSE_PATH)
def choose_page(request: Request, session: DbSession, ctx: Manager) -> Response:
    """The accounts the platform listed, to pick the one the source is for."""
    assert ctx.user is not None
    try:
        held = choices.read(
            session, get_settings(request), workspace_id=ctx.workspace.id, user_id=ctx.user.id
        )
    except choices.ChoiceRefused as refused:
        return _choice_refused(request, ctx.workspace, refused)
    provider = providers.provider_of(held.kind)
    return render(
        request,
        "sources_choose.html",
        kind=held.kind,
        label=provider.label,
        name=str(held.pending.get("name") or ""),
        choices=held.choices,
    )


@router.post("/w/{slug}" + CHOOSE_PATH)
def choose(
    request: Request, session: DbSession, ctx: Manager, choice: Annotated[str, Form(max_length=64)] = ""
) -> Response:
    """Save the source for the account picked; the pending choice is spent either way."""
    assert ctx.user is not None
    settings = get_settings(request)
    try:
        held = choices.take(session, settings, workspace_id=ctx.workspace.id, user_id=ctx.user.id)
    except choices.ChoiceRefused as refused:
        return _choice_refused(request, ctx.workspace, refused)
    picked = held.get(choice.strip())
    if picked is None:
        return _back(
            ctx.workspace, "invalid", detail=f"{choice.strip()[:64] or 'nothing'} was not among those listed"
        )
    target = Target(held.kind, held.source_id, held.pending)
    return _save(session, settings, ctx.workspace, target, picked.values, actor=ctx.actor)


def _choice_refused(request: Request, workspace: Workspace, refused: choices.ChoiceRefused) -> Response:
    if refused.reason == "expired":
        return _back(workspace, "expired")
    detail = page_translator(request).t("sources.connect.no_choice")
    return render(request, "error.html", status_code=400, status=400, detail=detail, title_key="error.400")


def _save(
    session: Session,
    settings: Settings,
    workspace: Workspace,
    row: Target,
    tokens: Mapping[str, Any],
    *,
    actor: str,
) -> Response:
    conn = providers.CONNECTIONS[row.kind]
    obtained = conn.settings(providers.PROVIDERS[conn.provider], settings, tokens)
    if row.source_id is not None:
        source = session.get(Source, row.source_id)
        if source is None or source.workspace_id != workspace.id:
            return _back(workspace, "invalid", detail="source")
        manage.reconnect(session, source, obtained, settings=settings, actor=actor)
        logger.info("source.reconnected", extra={"kind": row.kind, "source_id": source.id})
        return _back(workspace, "reconnected", name=source.name)
    pending = row.pending or {}
    try:
        added = manage.add_source(
            session,
            workspace.id,
            str(pending.get("name") or ""),
            row.kind,
            {**(pending.get("values") or {}), **obtained},
            settings=settings,
            actor=actor,
            brand=str(pending.get("brand") or "") or None,
        )
    except manage.SettingInvalid as invalid:
        return _back(workspace, "invalid", detail=invalid.reason)
    logger.info("source.connected", extra={"kind": row.kind, "source_id": added.source.id})
    return _back(workspace, "connected", name=added.source.name)


def _callback_refused(request: Request, session: Session, refused: states.StateRefused) -> Response:
    """An unknown state (forged, replayed) or someone else's says so on an error page (we cannot
    tell which workspace it was for, or must not); an expired one returns to its Sources page."""
    row = refused.state
    if refused.reason == "expired" and row is not None:
        workspace = session.get(Workspace, row.workspace_id)
        if workspace is not None:
            return _back(workspace, "expired")
    logger.info("source.connect_refused", extra={"reason": refused.reason})
    detail = page_translator(request).t("sources.connect.bad_state")
    return render(request, "error.html", status_code=400, status=400, detail=detail, title_key="error.400")


def _back(workspace: Workspace, outcome: str, *, name: str = "", detail: str = "") -> Response:
    query = {"connect": outcome}
    if name:
        query["name"] = name
    if detail:
        query["detail"] = detail[:200]
    return RedirectResponse(f"/w/{workspace.slug}/sources?{urlencode(query)}", status_code=303)
