"""Saved views: a name for a set of inbox filters, kept for oneself or shared with the workspace.

A view stores the filters exactly as the inbox's query string has them (``{"status": "new",
"q": "batterie"}``), so opening a view is following a link. Callers validate the filters (the
inbox's ``parse_filters``) and check who may share; creating and deleting are audited.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from sqlalchemy import Integer, bindparam, or_, select
from sqlalchemy.orm import Session

from ecoute.store.people import SavedView
from ecoute.store.repo import Invalid, NotFound, record_audit

logger = logging.getLogger(__name__)
MAX_NAME = 120
MAX_VIEWS = 100  # per person, and shared per workspace: a sidebar, not a database


@dataclass(frozen=True)
class ViewLink:
    """A saved view as the sidebar shows it."""

    id: int
    name: str
    shared: bool
    query: str  # the inbox query string, without "?"
    mine: bool


def list_views(session: Session, workspace_id: int, user_id: int | None) -> list[ViewLink]:
    """The person's own views, then the shared ones, each by position then name."""
    rows = session.execute(_VIEWS, {"workspace_id": workspace_id, "user_id": user_id or 0})
    return [
        ViewLink(
            id=view_id,
            name=name,
            shared=owner is None,
            query=urlencode(sorted(filters.items())),
            mine=owner is not None,
        )
        for view_id, name, owner, filters in rows
    ]


# Built once (every inbox page lists the views), read as plain rows.
_VIEWS = (
    select(SavedView.id, SavedView.name, SavedView.user_id, SavedView.filters)
    .where(
        SavedView.workspace_id == bindparam("workspace_id", type_=Integer),
        or_(SavedView.user_id.is_(None), SavedView.user_id == bindparam("user_id", type_=Integer)),
    )
    .order_by(SavedView.user_id.is_(None), SavedView.position, SavedView.name, SavedView.id)
    .limit(MAX_VIEWS * 2)
)


def create_view(
    session: Session,
    workspace_id: int,
    *,
    user_id: int,
    name: str,
    filters: Mapping[str, str],
    shared: bool,
    actor: str,
) -> SavedView:
    name = " ".join(name.split())
    if not name or len(name) > MAX_NAME:
        raise Invalid(f"name: give 1 to {MAX_NAME} characters")
    owner = None if shared else user_id
    owned = SavedView.user_id.is_(None) if shared else SavedView.user_id == user_id
    same = session.scalars(select(SavedView.name).where(SavedView.workspace_id == workspace_id, owned)).all()
    if name.casefold() in {n.casefold() for n in same}:
        raise Invalid(f"name: a view called {name!r} already exists")
    if len(same) >= MAX_VIEWS:
        raise Invalid(f"you already have {MAX_VIEWS} views: delete one first")
    view = SavedView(
        workspace_id=workspace_id, user_id=owner, name=name, filters=dict(filters), position=len(same)
    )
    session.add(view)
    session.flush()
    record_audit(
        session,
        workspace_id,
        actor=actor,
        action="view.create",
        target_type="saved_view",
        target_id=view.id,
        after={"name": name, "shared": shared, "filters": dict(filters)},
    )
    logger.info("view.created", extra={"workspace_id": workspace_id, "view_id": view.id, "shared": shared})
    return view


def get_view(session: Session, workspace_id: int, view_id: int, user_id: int | None) -> SavedView:
    """A shared view, or one of the person's own; someone else's personal view is NotFound."""
    view = session.scalar(
        select(SavedView).where(
            SavedView.workspace_id == workspace_id,
            SavedView.id == view_id,
            or_(SavedView.user_id.is_(None), SavedView.user_id == (user_id or 0)),
        )
    )
    if view is None:
        raise NotFound(f"no view #{view_id} in this workspace")
    return view


def delete_view(session: Session, view: SavedView, *, actor: str) -> None:
    record_audit(
        session,
        view.workspace_id,
        actor=actor,
        action="view.delete",
        target_type="saved_view",
        target_id=view.id,
        before={"name": view.name, "shared": view.user_id is None, "filters": dict(view.filters)},
    )
    session.delete(view)
    session.flush()
    logger.info("view.deleted", extra={"workspace_id": view.workspace_id, "view_id": view.id})
