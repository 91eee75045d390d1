"""A workspace's tags: list, create, delete (taking them off every conversation), look up by name."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ecoute.store.models import ConversationTag, Tag
from ecoute.store.repo import Invalid, NotFound, record_audit

logger = logging.getLogger(__name__)
MAX_NAME = 80
_COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")


class TagExists(Invalid):
    """A tag with this name is already in the workspace (the API answers 409)."""


def list_tags(session: Session, workspace_id: int, *, after_id: int = 0, limit: int = 200) -> list[Tag]:
    query = select(Tag).where(Tag.workspace_id == workspace_id, Tag.id > after_id)
    return list(session.scalars(query.order_by(Tag.id).limit(limit)))


def get_tag(session: Session, workspace_id: int, tag_id: int) -> Tag:
    tag = session.scalar(select(Tag).where(Tag.workspace_id == workspace_id, Tag.id == tag_id))
    if tag is None:
        raise NotFound(f"no tag #{tag_id} in this workspace")
    return tag


def tags_by_name(session: Session, workspace_id: int, names: Sequence[str]) -> list[Tag]:
    """The tags with these names, by name; Invalid names the first one that does not exist."""
    wanted = sorted({name.strip() for name in names if name.strip()})
    if not wanted:
        return []
    found = {
        tag.name: tag
        for tag in session.scalars(select(Tag).where(Tag.workspace_id == workspace_id, Tag.name.in_(wanted)))
    }
    missing = [name for name in wanted if name not in found]
    if missing:
        raise Invalid(f"tag {missing[0]!r} does not exist: create it first")
    return [found[name] for name in wanted]


def create_tag(session: Session, workspace_id: int, name: str, color: str | None, *, actor: str) -> Tag:
    name = name.strip()
    if not name or len(name) > MAX_NAME:
        raise Invalid(f"name: give 1 to {MAX_NAME} characters")
    if color is not None and not _COLOR_RE.match(color):
        raise Invalid(f"color {color!r}: use #rrggbb")
    exists = select(Tag.id).where(Tag.workspace_id == workspace_id, Tag.name == name)
    if session.scalar(exists) is not None:
        raise TagExists(f"tag {name!r} already exists")
    tag = Tag(workspace_id=workspace_id, name=name, color=color)
    session.add(tag)
    session.flush()
    record_audit(
        session,
        workspace_id,
        actor=actor,
        action="tag.create",
        target_type="tag",
        target_id=tag.id,
        after={"name": name, "color": color},
    )
    logger.info("tag.created", extra={"workspace_id": workspace_id, "tag_id": tag.id})
    return tag


def delete_tag(session: Session, workspace_id: int, tag_id: int, *, actor: str) -> None:
    """Delete the tag and take it off every conversation (the conversations themselves stay)."""
    tag = get_tag(session, workspace_id, tag_id)
    links = (ConversationTag.workspace_id == workspace_id, ConversationTag.tag_id == tag.id)
    tagged = session.scalar(select(func.count()).select_from(ConversationTag).where(*links)) or 0
    record_audit(
        session,
        workspace_id,
        actor=actor,
        action="tag.delete",
        target_type="tag",
        target_id=tag.id,
        before={"name": tag.name, "color": tag.color, "conversations": tagged},
    )
    session.execute(delete(ConversationTag).where(*links))
    session.delete(tag)
    session.flush()
    logger.info("tag.deleted", extra={"workspace_id": workspace_id, "tag_id": tag_id})
