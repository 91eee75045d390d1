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

from ecoute.insights import rollups
from ecoute.insights.listening import about_brand
from ecoute.store.models import Mention

from .models import MentionTopic, MentionVector, Topic
from .packing import unpack, unpack_many

SAMPLED = 100


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
    session: Session,
    workspace_id: int,
    start: datetime,
    end: datetime,
    offset: int | None = None,
    brand_id: int | None = None,
) -> list[TopicSummary]:
    """Every topic with mentions in [start, end) or in the period before, largest first. With the
    reader's UTC ``offset`` (minutes), whole days come from the daily roll-ups; with ``brand_id``,
    only the mentions about that brand count (from the mentions: roll-ups are not split by brand)."""
    current = _counts(session, workspace_id, start, end, offset, brand_id)
    before = _counts(session, workspace_id, start - (end - start), start, offset, brand_id)
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
    session: Session,
    workspace_id: int,
    start: datetime,
    end: datetime,
    limit: int = 5,
    summaries: list[TopicSummary] | None = None,
) -> list[TopicSummary]:
    """The topics that gained most mentions against the period before (only those that gained);
    from ``summaries`` when the caller has them already."""
    if summaries is None:
        summaries = topic_summaries(session, workspace_id, start, end)
    rising = [s for s in summaries if s.growth > 0]
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
    return typical_posts(session, workspace_id, [topic_id], start, end, limit, brand_id).get(topic_id, [])


def typical_posts(
    session: Session,
    workspace_id: int,
    topic_ids: list[int],
    start: datetime,
    end: datetime,
    limit: int = 3,
    brand_id: int | None = None,
) -> dict[int, list[Mention]]:
    """For each topic, its posts in the period closest to its centre, chosen among the most recent
    posts of these topics in the period (``SAMPLED`` a topic on average, read in one pass, so large
    topics and long periods cost no more)."""
    centroids = dict(
        session.execute(
            select(Topic.id, Topic.centroid).where(
                Topic.workspace_id == workspace_id, Topic.id.in_(topic_ids), Topic.centroid.is_not(None)
            )
        ).all()
    )
    if not centroids:
        return {}
    rows = session.connection().execute(
        select(Mention.id, MentionTopic.topic_id, MentionVector.vector)
        .join(MentionTopic, MentionTopic.mention_id == Mention.id)
        .join(MentionVector, MentionVector.mention_id == Mention.id)
        .where(*_in_period(workspace_id, start, end, brand_id), MentionTopic.topic_id.in_(list(centroids)))
        .order_by(Mention.created_at.desc(), Mention.id.desc())
        .limit(SAMPLED * len(centroids))
    )
    by_topic: dict[int, list[tuple[int, bytes]]] = {}
    for mention_id, topic_id, vector in rows:
        by_topic.setdefault(topic_id, []).append((mention_id, vector))
    chosen: dict[int, list[int]] = {}
    for topic_id, members in by_topic.items():
        members.reverse()  # oldest first, as a topic's posts came
        similarity = unpack_many([vector for _, vector in members]) @ unpack(centroids[topic_id])
        chosen[topic_id] = [members[i][0] for i in np.argsort(-similarity, kind="stable")[:limit]]
    wanted = [mention_id for ids in chosen.values() for mention_id in ids]
    found = {m.id: m for m in session.scalars(select(Mention).where(Mention.id.in_(wanted)))}
    return {topic_id: [found[i] for i in ids] for topic_id, ids in chosen.items()}


def _counts(
    session: Session,
    workspace_id: int,
    start: datetime,
    end: datetime,
    offset: int | None,
    brand_id: int | None = None,
) -> dict[int, tuple[int, int, int, int]]:
    def count(value: str):  # type: ignore[no-untyped-def]
        return func.sum(case((Mention.sentiment == value, 1), else_=0))

    split = (
        rollups.Plan([], [(start, end)])
        if offset is None or brand_id is not None
        else rollups.plan(session, workspace_id, offset, start, end)
    )
    totals: dict[int, tuple[int, int, int, int]] = {}

    def add(topic_id: int, *figures: int | None) -> None:
        before = totals.get(topic_id, (0, 0, 0, 0))
        totals[topic_id] = tuple(a + int(b or 0) for a, b in zip(before, figures, strict=True))  # type: ignore[assignment]

    if split.rolled:
        for topic_id, n, p, u, g in rollups.rolled_topic_rows(
            session, workspace_id, offset or 0, split.rolled
        ):
            add(topic_id, n, p, u, g)
    for low, high in split.direct:
        rows = session.execute(
            select(
                MentionTopic.topic_id, func.count(), count("positive"), count("neutral"), count("negative")
            )
            .join(Mention, Mention.id == MentionTopic.mention_id)
            .where(*_in_period(workspace_id, low, high, brand_id))
            .group_by(MentionTopic.topic_id)
        )
        for topic_id, n, p, u, g in rows:
            add(topic_id, n, p, u, g)
    return totals


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
