"""An agent's hand on the topics: renaming one and merging several, audited, checked, and kept by
every later rebuild (``ecoute.topics.continuity`` carries names and merges over).

A topic continues across a rebuild when a new cluster shares enough of its posts with it (at least
30 % of the posts in either, one to one); a topic made by merging absorbs every new cluster most of
whose known posts lie in it. So a name stays on the posts it was given to, and merged posts stay
together, whatever numbers the clustering gives them.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ecoute.store.repo import Invalid, NotFound, record_audit

from .models import Topic
from .workspace import merge, rename

MAX_NAME = 80


def live_topics(session: Session, workspace_id: int) -> list[Topic]:
    """The workspace's topics that are shown (not merged into another), largest first."""
    return list(
        session.scalars(
            select(Topic)
            .where(Topic.workspace_id == workspace_id, Topic.merged_into.is_(None))
            .order_by(Topic.size.desc(), Topic.id)
        )
    )


def rename_topic(
    session: Session, workspace_id: int, topic_id: int, name: str | None, *, actor: str
) -> Topic:
    """Give a topic a name of its own (empty: back to the label from its posts); ``topic.rename``."""
    clean = " ".join((name or "").split())
    if len(clean) > MAX_NAME:
        raise Invalid(f"name: at most {MAX_NAME} characters")
    topic = _live(session, workspace_id, topic_id)
    before = topic.name
    rename(session, workspace_id, topic.id, clean)
    record_audit(
        session,
        workspace_id,
        actor=actor,
        action="topic.rename",
        target_type="topic",
        target_id=topic.id,
        before={"name": before, "label": topic.label},
        after={"name": topic.name},
    )
    return topic


def merge_topics(
    session: Session, workspace_id: int, into_id: int, other_ids: Sequence[int], *, actor: str
) -> Topic:
    """Put the posts of ``other_ids`` into ``into_id`` for good; audited as ``topic.merge``."""
    others = sorted({topic_id for topic_id in other_ids if topic_id != into_id})
    if not others:
        raise Invalid("topics: name at least one other topic to merge")
    into = _live(session, workspace_id, into_id)
    merged = [_live(session, workspace_id, topic_id) for topic_id in others]
    described = {t.id: {"name": t.name, "label": t.label, "size": t.size} for t in merged}
    for other in merged:  # topics earlier merged into one of these follow it
        session.execute(
            update(Topic)
            .where(Topic.workspace_id == workspace_id, Topic.merged_into == other.id)
            .values(merged_into=into.id)
        )
    merge(session, workspace_id, into.id, others)
    record_audit(
        session,
        workspace_id,
        actor=actor,
        action="topic.merge",
        target_type="topic",
        target_id=into.id,
        before={"topics": {str(k): v for k, v in described.items()}},
        after={"into": into.id, "size": into.size},
    )
    return into


def _live(session: Session, workspace_id: int, topic_id: int) -> Topic:
    topic = session.scalar(select(Topic).where(Topic.workspace_id == workspace_id, Topic.id == topic_id))
    if topic is None:
        raise NotFound(f"no topic {topic_id} in this workspace")
    if topic.merged_into is not None:
        raise Invalid(f"topic {topic_id} was merged into topic {topic.merged_into}: use that one")
    return topic
