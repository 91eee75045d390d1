"""A workspace's topics in the database: rebuilt from the mentions' stored vectors, kept across
rebuilds (names and merges agents gave), and joined by new mentions as they come.

Every function takes the workspace first and touches only its rows. A mention's vector is
embedded once (``ensure_vectors``) and kept packed; rebuilds and new mentions read it from there.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from ecoute.store.models import Brand, Mention
from ecoute.store.types import utcnow

from .clustering import cluster
from .continuity import centroids, match_topics, nearest_topic
from .labels import topic_labels
from .models import MentionTopic, MentionVector, Topic
from .packing import pack, unpack, unpack_many

ENCODER = "e5+use"
MIN_MENTIONS = 20  # fewer mentions than this make no topics worth showing
# Topics are found in the most recent mentions (20,000 cluster in 23-29 s on two cores, and the
# similarity graph grows with the square of the count); older ones then join the nearest topic.
MOST_RECENT = 20_000
_JOIN_BATCH = 5_000
Embed = Callable[[Sequence[str]], np.ndarray]


@dataclass(frozen=True, slots=True)
class Rebuilt:
    mentions: int
    topics: int
    kept: int  # topics that continued an existing one (its id, name and merges kept)


def ensure_vectors(
    session: Session, workspace_id: int, embed: Embed, batch: int = 512, limit: int | None = None
) -> int:
    """Embed and store the vectors of the workspace's mentions that have none, newest first, at
    most ``limit`` of them (a job embeds a bounded share, so a large backlog, such as a workspace's
    history on its first rebuild, is worked through over several runs instead of one run that
    outlasts its lease); how many."""
    query = (
        select(Mention.id, Mention.text)
        .outerjoin(MentionVector, MentionVector.mention_id == Mention.id)
        .where(Mention.workspace_id == workspace_id, MentionVector.mention_id.is_(None))
        .order_by(Mention.created_at.desc(), Mention.id.desc())
    )
    missing = session.execute(query if limit is None else query.limit(limit)).all()
    for start in range(0, len(missing), batch):
        rows = missing[start : start + batch]
        vectors = embed([text for _, text in rows])
        session.add_all(
            MentionVector(
                mention_id=mention_id, workspace_id=workspace_id, encoder=ENCODER, vector=pack(vector)
            )
            for (mention_id, _), vector in zip(rows, vectors, strict=True)
        )
        session.flush()
    return len(missing)


def rebuild(
    session: Session, workspace_id: int, embed: Embed, seed: int = 0, most_recent: int = MOST_RECENT
) -> Rebuilt:
    """Topics from scratch over the workspace's most recent mentions, continuing the existing
    ones; the older mentions then join the nearest topic."""
    ensure_vectors(session, workspace_id, embed, limit=most_recent)
    rows = session.execute(
        select(Mention.id, Mention.text, MentionVector.vector)
        .join(MentionVector, MentionVector.mention_id == Mention.id)
        .where(Mention.workspace_id == workspace_id)
        .order_by(Mention.created_at.desc(), Mention.id.desc())
        .limit(most_recent)
    ).all()[::-1]  # oldest first, as they came
    if len(rows) < MIN_MENTIONS:
        return Rebuilt(len(rows), 0, 0)
    ids = [row.id for row in rows]
    vectors = unpack_many([row.vector for row in rows])
    found = cluster(vectors, seed=seed)
    brands = session.scalars(select(Brand.name).where(Brand.workspace_id == workspace_id)).all()
    labels = topic_labels([row.text for row in rows], found, ignore=brands)
    existing = {topic.id: topic for topic in _live_topics(session, workspace_id)}
    old = _current_topics(session, workspace_id)
    merged = {topic_id for topic_id, topic in existing.items() if topic.merged}
    continues = match_topics(old, dict(zip(ids, found.tolist(), strict=True)), merged)
    target: dict[int, Topic] = {}
    for number, topic_id in continues.items():
        topic = existing.get(topic_id) if topic_id is not None else None  # type: ignore[arg-type]
        if topic is None:
            topic = Topic(workspace_id=workspace_id, merged=False)
            session.add(topic)
        target[number] = topic
    members: dict[int, list[int]] = {}
    for row, number in enumerate(found.tolist()):
        members.setdefault(id(target[number]), []).append(row)
    session.flush()
    for topic in {id(topic): topic for topic in target.values()}.values():
        rows_in = members[id(topic)]
        topic.label = _label_of(labels, found, rows_in)
        topic.size = len(rows_in)
        topic.centroid = pack(centroids(vectors[rows_in], np.zeros(len(rows_in), dtype=np.int64))[0])
        topic.built_at = utcnow()
    kept_ids = {topic.id for topic in target.values()}
    session.execute(delete(MentionTopic).where(MentionTopic.workspace_id == workspace_id))
    session.execute(delete(Topic).where(Topic.workspace_id == workspace_id, Topic.id.not_in(kept_ids)))
    session.add_all(
        MentionTopic(mention_id=mention_id, workspace_id=workspace_id, topic_id=target[number].id)
        for mention_id, number in zip(ids, found.tolist(), strict=True)
    )
    session.flush()
    assign_new(session, workspace_id, embed)
    kept = sum(1 for topic_id in set(continues.values()) if topic_id is not None)
    return Rebuilt(len(ids), len(kept_ids), kept)


def assign_new(session: Session, workspace_id: int, embed: Embed) -> int:
    """Mentions without a topic join the nearest one; how many did."""
    topics = [topic for topic in _live_topics(session, workspace_id) if topic.centroid is not None]
    if not topics:
        return 0
    ensure_vectors(session, workspace_id, embed, limit=_JOIN_BATCH)
    topic_centroids = np.vstack([unpack(topic.centroid) for topic in topics])  # type: ignore[arg-type]
    joined = 0
    while True:
        rows = session.execute(
            select(MentionVector.mention_id, MentionVector.vector)
            .outerjoin(MentionTopic, MentionTopic.mention_id == MentionVector.mention_id)
            .where(MentionVector.workspace_id == workspace_id, MentionTopic.mention_id.is_(None))
            .order_by(MentionVector.mention_id)
            .limit(_JOIN_BATCH)
        ).all()
        if not rows:
            return joined
        best, _ = nearest_topic(unpack_many([row.vector for row in rows]), topic_centroids)
        for row, index in zip(rows, best.tolist(), strict=True):
            session.add(
                MentionTopic(mention_id=row.mention_id, workspace_id=workspace_id, topic_id=topics[index].id)
            )
            topics[index].size += 1
        session.flush()
        joined += len(rows)


def rename(session: Session, workspace_id: int, topic_id: int, name: str) -> Topic:
    topic = _topic(session, workspace_id, topic_id)
    topic.name = name.strip() or None
    session.flush()
    return topic


def merge(session: Session, workspace_id: int, into_id: int, other_ids: Sequence[int]) -> Topic:
    """Put the mentions of ``other_ids`` into ``into_id``; the merge holds across rebuilds."""
    into = _topic(session, workspace_id, into_id)
    others = [_topic(session, workspace_id, topic_id) for topic_id in other_ids if topic_id != into_id]
    for other in others:
        session.execute(
            update(MentionTopic)
            .where(MentionTopic.workspace_id == workspace_id, MentionTopic.topic_id == other.id)
            .values(topic_id=into.id)
        )
        into.size += other.size
        other.size, other.merged_into = 0, into.id
    into.merged = into.merged or bool(others)
    session.flush()
    return into


def forget_mentions(session: Session, workspace_id: int, mention_ids: Sequence[int]) -> None:
    """Drop the vectors and topics of mentions whose text changed (an erasure): a vector keeps
    what the text said. They are embedded again, from the new text, by the next run."""
    for model in (MentionVector, MentionTopic):
        session.execute(
            delete(model).where(model.workspace_id == workspace_id, model.mention_id.in_(list(mention_ids)))
        )


def topic_of(session: Session, workspace_id: int, mention_id: int) -> Topic | None:
    return session.scalar(
        select(Topic)
        .join(MentionTopic, MentionTopic.topic_id == Topic.id)
        .where(MentionTopic.workspace_id == workspace_id, MentionTopic.mention_id == mention_id)
    )


def _label_of(labels: dict[int, str], found: np.ndarray, rows: list[int]) -> str:
    """The label of the largest new cluster among a topic's rows (several when merged)."""
    numbers, counts = np.unique(found[rows], return_counts=True)
    return labels[int(numbers[np.argmax(counts)])]


def _live_topics(session: Session, workspace_id: int) -> list[Topic]:
    return list(
        session.scalars(
            select(Topic)
            .where(Topic.workspace_id == workspace_id, Topic.merged_into.is_(None))
            .order_by(Topic.id)
        )
    )


def _current_topics(session: Session, workspace_id: int) -> dict[int, int]:
    rows = session.execute(
        select(MentionTopic.mention_id, MentionTopic.topic_id).where(
            MentionTopic.workspace_id == workspace_id
        )
    )
    return {mention_id: topic_id for mention_id, topic_id in rows}


def _topic(session: Session, workspace_id: int, topic_id: int) -> Topic:
    topic = session.scalar(select(Topic).where(Topic.workspace_id == workspace_id, Topic.id == topic_id))
    if topic is None:
        raise LookupError(f"no topic {topic_id} in this workspace")
    return topic
