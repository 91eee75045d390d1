"""``/api/v1/sources``: the workspace's sources with their state (the Sources page's figures);
adding, pausing, resuming and removing them needs ``manage_sources``. Secrets are never returned,
except a new webhook source's signing secret, once, in the answer that creates it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Request, Response
from pydantic import BaseModel, Field

from ecoute.auth.permissions import Action
from ecoute.sources import manage, status
from ecoute.store.repo import NotFound
from ecoute.web.api.params import BEARER, Id
from ecoute.web.api.schemas import In, errors
from ecoute.web.deps import DbSession, WorkspaceContext, api_require, get_settings

router = APIRouter(prefix="/api/v1/sources", tags=["sources"], dependencies=BEARER)
Viewer = Annotated[WorkspaceContext, api_require(Action.VIEW)]
Manager = Annotated[WorkspaceContext, api_require(Action.MANAGE_SOURCES)]
SettingName = Literal[
    "url",
    "platform",
    "instance",
    "access_token",
    "hashtags",
    "searches",
    "mentions",
    "identifier",
    "app_password",
    "service",
    "secret",
    "keep_unmatched",
    "max_characters",
    "visibility",
]


class SourceOut(BaseModel):
    id: int
    name: str
    type: str
    platform: str
    brand: str | None
    state: Literal["new", "healthy", "rate_limited", "backing_off", "needs_reconnect", "paused"] = Field(
        description="paused, needs_reconnect (the platform refused the credentials), rate_limited "
        "(waiting until next_poll_at), backing_off (after failures), healthy, or new (not polled yet)."
    )
    words: str = Field(description="The state in English words.")
    failures: int = Field(description="Consecutive failed polls.")
    paused: bool
    last_success_at: datetime | None
    last_run_at: datetime | None
    next_poll_at: datetime | None
    items_today: int = Field(description="Mentions stored today (in the workspace's time zone) from it.")
    last_error: str | None

    @classmethod
    def of(cls, row: status.SourceStatus) -> SourceOut:
        return cls(
            id=row.id,
            name=row.name,
            type=row.kind,
            platform=row.platform,
            brand=row.brand,
            state=row.state,  # type: ignore[arg-type]
            words=status.describe(row),
            failures=row.failures,
            paused=row.paused,
            last_success_at=row.last_success_at,
            last_run_at=row.last_run_at,
            next_poll_at=row.next_poll_at,
            items_today=row.items_today,
            last_error=row.last_error,
        )


class SourceList(BaseModel):
    items: list[SourceOut]


class SourceAdded(SourceOut):
    webhook_secret: str | None = Field(
        description="A webhook source's signing secret: returned only here, once (kept encrypted)."
    )


class SourceIn(In):
    name: str = Field(min_length=1, max_length=manage.MAX_NAME)
    type: Literal["rss", "mastodon", "bluesky", "webhook"]
    settings: dict[SettingName, Annotated[str, Field(max_length=2000)]] = Field(
        default_factory=dict,
        description="rss: url; mastodon: instance, access_token (hashtags, searches); bluesky: "
        "identifier, app_password (service, searches); webhook: nothing (a secret is made).",
    )
    brand: str | None = Field(default=None, min_length=1, max_length=200)


def _one(session: DbSession, ctx: WorkspaceContext, source_id: int) -> status.SourceStatus:
    found = status.statuses(session, ctx.workspace, source_id=source_id)
    if not found:
        raise HTTPException(404, f"no source #{source_id} in this workspace")
    return found[0]


@router.get("", response_model=SourceList, responses=errors(403))
def list_sources(session: DbSession, ctx: Viewer) -> SourceList:
    """Every source of the workspace, by name, with its state and figures."""
    return SourceList(items=[SourceOut.of(row) for row in status.statuses(session, ctx.workspace)])


@router.get("/{source_id}", response_model=SourceOut, responses=errors(403, 404))
def get_source(session: DbSession, ctx: Viewer, source_id: Id) -> SourceOut:
    return SourceOut.of(_one(session, ctx, source_id))


@router.post("", status_code=201, response_model=SourceAdded, responses=errors(403, 409))
def add_source(request: Request, session: DbSession, ctx: Manager, body: SourceIn) -> SourceAdded:
    """Add a source (422 naming the setting at fault, 409 when the name is taken). Audited."""
    try:
        added = manage.add_source(
            session,
            ctx.workspace.id,
            body.name,
            body.type,
            dict(body.settings),
            settings=get_settings(request),
            actor=ctx.actor,
            brand=body.brand,
        )
    except manage.SettingInvalid as error:
        if error.field == "name" and "exists" in error.reason:
            raise HTTPException(409, str(error)) from None
        raise HTTPException(
            422, [{"loc": ["body", "settings", error.field], "msg": error.reason, "type": "value_error"}]
        ) from None
    session.flush()
    row = _one(session, ctx, added.source.id)
    return SourceAdded(**SourceOut.of(row).model_dump(), webhook_secret=added.shown_secret)


@router.post("/{source_id}/pause", response_model=SourceOut, responses=errors(403, 404))
def pause_source(session: DbSession, ctx: Manager, source_id: Id) -> SourceOut:
    """Stop polling it until resumed. Audited as ``source.pause``."""
    return _paused(session, ctx, source_id, True)


@router.post("/{source_id}/resume", response_model=SourceOut, responses=errors(403, 404))
def resume_source(session: DbSession, ctx: Manager, source_id: Id) -> SourceOut:
    """Poll it again, at once. Audited as ``source.resume``."""
    return _paused(session, ctx, source_id, False)


def _paused(session: DbSession, ctx: WorkspaceContext, source_id: int, paused: bool) -> SourceOut:
    try:
        manage.set_paused(
            session, manage.require_source(session, ctx.workspace.id, source_id), paused, actor=ctx.actor
        )
    except NotFound as error:
        raise HTTPException(404, str(error)) from None
    session.flush()
    return SourceOut.of(_one(session, ctx, source_id))


@router.delete("/{source_id}", status_code=204, response_class=Response, responses=errors(403, 404))
def remove_source(session: DbSession, ctx: Manager, source_id: Id) -> Response:
    """Remove a source; the mentions it brought stay. Audited as ``source.remove``."""
    try:
        manage.remove_source(
            session, manage.require_source(session, ctx.workspace.id, source_id), actor=ctx.actor
        )
    except NotFound as error:
        raise HTTPException(404, str(error)) from None
    return Response(status_code=204)
