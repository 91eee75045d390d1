"""What a platform says happened to a stored item after it was heard: an edit (a new revision of
its text) or a deletion. Customers' words are never erased: a deleted mention is hidden from the
inbox and keeps an audit event with what it said; an edit keeps the previous text in its audit
event too."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from ecoute.normalise import REVISION_KEY, Item
from ecoute.store.models import Mention
from ecoute.store.repo import record_audit
from ecoute.store.types import utcnow

logger = logging.getLogger(__name__)
DELETED_KEY = "_deleted_at"  # in a mention's ``raw``: when its platform said it was deleted


def is_deleted(mention: Mention) -> bool:
    return bool((mention.raw or {}).get(DELETED_KEY))


def apply_revisions(session: Session, workspace_id: int, items: Sequence[Item]) -> int:
    """Update stored mentions that ``items`` carry a new revision of; returns how many changed."""
    revised = {(i.platform, i.external_id): i for i in items if i.revision}
    if not revised:
        return 0
    changed = 0
    for mention in _stored(session, workspace_id, revised):
        item = revised[(mention.platform, mention.external_id)]
        if (mention.raw or {}).get(REVISION_KEY) == item.revision:
            continue
        record_audit(
            session,
            workspace_id,
            actor=f"platform:{mention.platform}",
            action="mention.edited",
            target_type="mention",
            target_id=mention.id,
            before={"text": mention.text, "revision": (mention.raw or {}).get(REVISION_KEY)}
            | _rating(mention.rating, item.rating),
            after={"text": item.text, "revision": item.revision} | _rating(item.rating, mention.rating),
        )
        mention.text, mention.raw = item.text, {**item.raw, **_kept_marks(mention.raw)}
        if item.rating is not None:  # a review's stars change with its text
            mention.rating = item.rating
        mention.likes, mention.shares, mention.replies_count = item.likes, item.shares, item.replies
        changed += 1
    if changed:
        logger.info("mention.edited", extra={"workspace_id": workspace_id, "count": changed})
    return changed


def _rating(rating: float | None, other: float | None) -> dict[str, Any]:
    """A review's stars in an edit's audit event, when the edit changed them."""
    return {"rating": rating} if other is not None and rating != other else {}


def mark_deleted(session: Session, workspace_id: int, platform: str, external_ids: Iterable[str]) -> int:
    """Mark the mentions a platform says were deleted: hidden from the inbox, with an audit event
    keeping their text. Returns how many were newly marked (a second report changes nothing)."""
    keys = {(platform, external_id) for external_id in external_ids}
    marked = 0
    for mention in _stored(session, workspace_id, keys):
        if is_deleted(mention):
            continue
        now = utcnow()
        record_audit(
            session,
            workspace_id,
            actor=f"platform:{platform}",
            action="mention.deleted_on_platform",
            target_type="mention",
            target_id=mention.id,
            before={"hidden": mention.hidden, "text": mention.text},
            after={"hidden": True, "deleted_at": now.isoformat()},
        )
        mention.raw = {**(mention.raw or {}), DELETED_KEY: now.isoformat()}
        mention.hidden = True
        marked += 1
    if marked:
        logger.info("mention.deleted_on_platform", extra={"workspace_id": workspace_id, "count": marked})
    return marked


def _stored(session: Session, workspace_id: int, keys: Iterable[tuple[str, str]]) -> list[Mention]:
    wanted = list(keys)
    found: list[Mention] = []
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        found.extend(
            session.scalars(
                select(Mention).where(
                    Mention.workspace_id == workspace_id,
                    tuple_(Mention.platform, Mention.external_id).in_(chunk),
                )
            )
        )
    return found


def _kept_marks(raw: dict[str, Any] | None) -> dict[str, Any]:
    """Marks Écoute put on a stored payload that a new revision must not lose."""
    return {k: v for k, v in (raw or {}).items() if k == DELETED_KEY}
