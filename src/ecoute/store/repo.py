"""Workspace-scoped repository functions: workspaces, brands, sources and the audit log.

Every function takes the session and the workspace id first; nothing is looked up by id alone.
Bulk operations used by the ingest path live in ``ecoute.store.mentions``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ecoute.brands import validate_query
from ecoute.store.mentions import (  # noqa: F401  (re-exported: one import for callers)
    existing_external_ids,
    insert_mentions,
    link_brands,
    refresh_conversations,
    resolve_conversations,
    upsert_authors,
)
from ecoute.store.models import AuditEvent, Brand, Conversation, Mention, Source, Workspace
from ecoute.store.search import search_mentions  # noqa: F401
from ecoute.store.types import utcnow

_SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


class NotFound(LookupError):
    """The record does not exist in this workspace (whether or not it exists elsewhere)."""


class Invalid(ValueError):
    """A value a user gave is not acceptable; the message says which and why."""


# --- workspaces -----------------------------------------------------------------------------


def get_workspace(session: Session, slug: str) -> Workspace | None:
    return session.scalar(select(Workspace).where(Workspace.slug == slug))


def require_workspace(session: Session, slug: str) -> Workspace:
    workspace = get_workspace(session, slug)
    if workspace is None:
        raise NotFound(f"no workspace {slug!r} (create it with: ecoute workspace create {slug})")
    return workspace


def create_workspace(
    session: Session, slug: str, name: str, *, locale: str = "fr", timezone: str = "Europe/Paris"
) -> Workspace:
    if not _SLUG_RE.match(slug):
        raise Invalid(f"workspace slug {slug!r}: use lower-case letters, digits and '-' (max 63)")
    if get_workspace(session, slug) is not None:
        raise Invalid(f"workspace {slug!r} already exists")
    workspace = Workspace(slug=slug, name=name, locale=locale, timezone=timezone, settings={})
    session.add(workspace)
    session.flush()
    return workspace


def list_workspaces(session: Session) -> list[Workspace]:
    return list(session.scalars(select(Workspace).order_by(Workspace.slug)))


# --- brands ---------------------------------------------------------------------------------


def list_brands(session: Session, workspace_id: int) -> list[Brand]:
    return list(session.scalars(select(Brand).where(Brand.workspace_id == workspace_id).order_by(Brand.id)))


def get_brand(session: Session, workspace_id: int, name: str) -> Brand:
    brand = session.scalar(select(Brand).where(Brand.workspace_id == workspace_id, Brand.name == name))
    if brand is None:
        raise NotFound(f"no brand {name!r} in this workspace")
    return brand


def add_brand(
    session: Session,
    workspace_id: int,
    name: str,
    *,
    query: str = "",
    handles: Sequence[str] = (),
    competitor_of: str | None = None,
) -> Brand:
    validate_query(query)  # raises QuerySyntaxError with the position
    exists = select(Brand.id).where(Brand.workspace_id == workspace_id, Brand.name == name)
    if session.scalar(exists) is not None:
        raise Invalid(f"brand {name!r} already exists")
    parent = get_brand(session, workspace_id, competitor_of).id if competitor_of else None
    brand = Brand(
        workspace_id=workspace_id,
        name=name,
        query=query,
        handles=[h.lstrip("@").lower() for h in handles],
        competitor_of_id=parent,
    )
    session.add(brand)
    session.flush()
    return brand


# --- sources --------------------------------------------------------------------------------


def get_source(session: Session, workspace_id: int, name: str) -> Source | None:
    return session.scalar(select(Source).where(Source.workspace_id == workspace_id, Source.name == name))


def ensure_source(
    session: Session, workspace_id: int, name: str, *, kind: str, platform: str, settings: dict[str, Any]
) -> Source:
    source = get_source(session, workspace_id, name)
    if source is None:
        source = Source(
            workspace_id=workspace_id, name=name, kind=kind, platform=platform, settings=settings, cursor={}
        )
        session.add(source)
        session.flush()
    return source


def list_sources(session: Session, workspace_id: int) -> list[Source]:
    return list(
        session.scalars(select(Source).where(Source.workspace_id == workspace_id).order_by(Source.name))
    )


def save_source_cursor(session: Session, workspace_id: int, source_id: int, cursor: dict[str, Any]) -> None:
    source = session.scalar(select(Source).where(Source.workspace_id == workspace_id, Source.id == source_id))
    if source is None:
        raise NotFound(f"no source #{source_id} in this workspace")
    source.cursor = cursor
    source.health = "ok"
    source.last_error = None
    source.consecutive_failures = 0
    source.last_run_at = utcnow()


def record_source_success(session: Session, workspace_id: int, source_id: int) -> None:
    """A poll went through: the source is healthy, its last success now."""
    source = session.scalar(select(Source).where(Source.workspace_id == workspace_id, Source.id == source_id))
    if source is None:
        return
    now = utcnow()
    source.health, source.last_error, source.consecutive_failures = "ok", None, 0
    source.last_run_at = source.last_success_at = now


# What a source's health says after a failure of each kind (``SourceError.kind``): a 5xx or a
# timeout is "failing" (backing off), never a disconnection; only an authorisation the platform
# refused asks for reconnecting.
HEALTH_AFTER = {"auth": "needs_reconnect", "rate_limit": "rate_limited", "transient": "failing"}


def record_source_failure(
    session: Session, workspace_id: int, source_id: int, error: str, *, kind: str = "transient"
) -> bool:
    """Count a failed poll; True when it is the one that makes the source need reconnecting
    (the transition, which the admins are told of, not the hourly checks that follow)."""
    source = session.scalar(select(Source).where(Source.workspace_id == workspace_id, Source.id == source_id))
    if source is None:
        raise NotFound(f"no source #{source_id} in this workspace")
    before = source.health
    source.consecutive_failures += 1
    source.health = HEALTH_AFTER.get(kind, "failing")
    source.last_error = error
    source.last_run_at = utcnow()
    return source.health == "needs_reconnect" and before != "needs_reconnect"


# --- counts ---------------------------------------------------------------------------------


def count_mentions(session: Session, workspace_id: int) -> int:
    return (
        session.scalar(select(func.count()).select_from(Mention).where(Mention.workspace_id == workspace_id))
        or 0
    )


def count_conversations(session: Session, workspace_id: int) -> int:
    query = select(func.count()).select_from(Conversation).where(Conversation.workspace_id == workspace_id)
    return session.scalar(query) or 0


# --- audit ----------------------------------------------------------------------------------


def record_audit(
    session: Session,
    workspace_id: int,
    *,
    actor: str,
    action: str,
    target_type: str | None = None,
    target_id: str | int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    event = AuditEvent(
        workspace_id=workspace_id,
        actor=actor,
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        before=before or {},
        after=after or {},
    )
    session.add(event)
    return event


def store_setting(
    session: Session, workspace: Workspace, key: str, value: dict[str, Any], *, actor: str, action: str
) -> None:
    """Replace one of the workspace's settings, audited as ``action`` with the value before and after."""
    before = (workspace.settings or {}).get(key) or {}
    workspace.settings = {**(workspace.settings or {}), key: value}
    record_audit(
        session,
        workspace.id,
        actor=actor,
        action=action,
        target_type="workspace",
        target_id=workspace.id,
        before=before,
        after=value,
    )
