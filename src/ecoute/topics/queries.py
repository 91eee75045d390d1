"""What an Insights page asks of topics: volume and sentiment per topic in a period, against the
period of the same length just before it; the topics that grow most; a topic's typical posts.

Net sentiment is (positive − negative) / (positive + negative), neutral left out, and ``None``
when a topic has neither (a page shows "–", not 0). Hidden mentions are left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from ecoute.insights.listening import about_brand
from ecoute.store.models import Mention

from .models import MentionTopic, MentionVector, Topic
from .packing import unpack, unpack_many


@dataclass(frozen=True, slots=True)
class TopicSummary:
    topic_id: int
    title: str  # the name an agent gave, else the label from the posts' words
    mentions: int
    previous: int  # mentions in the period of the same length just before
    positive: int
    neutral: int
    negative: int

    @property
    def growth(self) -> int:
        return self.mentions - self.previous

    @property
    def net_sentiment(self) -> float | None:
        polar = self.positive + self.negative
        return (self.positive - self.negative) / polar if polar else None


def topic_summaries(
    session: Session, workspace_id: int, start: datetime, end: datetime, brand_id: int | None = None
) -> list[TopicSummary]:
    """Every topic with mentions in [start, end) or in the period before, largest first (with
    ``brand_id``, counting only the mentions about that brand)."""
    current = _counts(session, workspace_id, start, end, brand_id)
    before = _counts(session, workspace_id, start - (end - start), start, brand_id)
    topics = session.scalars(
        select(Topic).where(Topic.workspace_id == workspace_id, Topic.id.in_(set(current) | set(before)))
    )
    summaries = [
        TopicSummary(
            topic.id,
            topic.name or topic.label,
            current.get(topic.id, (0, 0, 0, 0))[0],
            before.get(topic.id, (0, 0, 0, 0))[0],
            *current.get(topic.id, (0, 0, 0, 0))[1:],
        )
        for topic in topics
    ]
    return sorted(summaries, key=lambda s: (-s.mentions, s.topic_id))


def trending(
    session: Session, workspace_id: int, start: datetime, end: datetime, limit: int = 5
) -> list[TopicSummary]:
    """The topics that gained most mentions against the period before (only those that gained)."""
    rising = [s for s in topic_summaries(session, workspace_id, start, end) if s.growth > 0]
    return sorted(rising, key=lambda s: (-s.growth, s.topic_id))[:limit]


def sample_posts(
    session: Session,
    workspace_id: int,
    topic_id: int,
    start: datetime,
    end: datetime,
    limit: int = 3,
    brand_id: int | None = None,
) -> list[Mention]:
    """The topic's posts in the period that are closest to its centre: the most typical ones."""
    centroid = session.scalar(
        select(Topic.centroid).where(Topic.workspace_id == workspace_id, Topic.id == topic_id)
    )
    rows = session.execute(
        select(Mention, MentionVector.vector)
        .join(MentionTopic, MentionTopic.mention_id == Mention.id)
        .join(MentionVector, MentionVector.mention_id == Mention.id)
        .where(*_in_period(workspace_id, start, end, brand_id), MentionTopic.topic_id == topic_id)
    ).all()
    if not rows or centroid is None:
        return []
    similarity = unpack_many([row.vector for row in rows]) @ unpack(centroid)
    order = np.argsort(-similarity, kind="stable")[:limit]
    return [rows[i].Mention for i in order]


def _counts(
    session: Session, workspace_id: int, start: datetime, end: datetime, brand_id: int | None
) -> dict[int, tuple[int, int, int, int]]:
    def count(value: str):  # type: ignore[no-untyped-def]
        return func.sum(case((Mention.sentiment == value, 1), else_=0))

    rows = session.execute(
        select(MentionTopic.topic_id, func.count(), count("positive"), count("neutral"), count("negative"))
        .join(Mention, Mention.id == MentionTopic.mention_id)
        .where(*_in_period(workspace_id, start, end, brand_id))
        .group_by(MentionTopic.topic_id)
    )
    return {topic_id: (int(n), int(p or 0), int(u or 0), int(g or 0)) for topic_id, n, p, u, g in rows}


def _in_period(workspace_id: int, start: datetime, end: datetime, brand_id: int | None = None) -> tuple:  # type: ignore[type-arg]
    where = (
        MentionTopic.workspace_id == workspace_id,
        Mention.workspace_id == workspace_id,
        Mention.hidden.is_(False),
        Mention.created_at >= start,
        Mention.created_at < end,
    )
    if brand_id is None:
        return where
    return (*where, Mention.id.in_(about_brand(workspace_id, brand_id)))
