"""The topics of a workspace, which topic each mention is in, and each mention's packed vector.

A mention's vector is kept (``mention_vectors``, about 900 bytes) so that rebuilding topics never
embeds the same post twice. ``topics.name`` is what an agent typed (it survives rebuilds, which
only refresh ``label``); a topic an agent merged into another points at it with ``merged_into``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ecoute.store.models import Base
from ecoute.store.types import utcnow


class Topic(Base):
    __tablename__ = "topics"
    __table_args__ = (Index("ix_topics_ws", "workspace_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(Text, default="")  # from the posts' words, refreshed by rebuilds
    name: Mapped[str | None] = mapped_column(Text)  # given by an agent; shown instead of the label
    merged: Mapped[bool] = mapped_column(Boolean, default=False)  # an agent merged others into it
    merged_into: Mapped[int | None] = mapped_column(ForeignKey("topics.id", ondelete="SET NULL"))
    size: Mapped[int] = mapped_column(Integer, default=0)
    centroid: Mapped[bytes | None] = mapped_column(LargeBinary)  # packed, for new mentions
    built_at: Mapped[datetime] = mapped_column(default=utcnow)


class MentionTopic(Base):
    __tablename__ = "mention_topics"
    __table_args__ = (Index("ix_mention_topics_ws_topic", "workspace_id", "topic_id"),)

    mention_id: Mapped[int] = mapped_column(ForeignKey("mentions.id", ondelete="CASCADE"), primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"))


class MentionVector(Base):
    __tablename__ = "mention_vectors"
    __table_args__ = (Index("ix_mention_vectors_ws", "workspace_id"),)

    mention_id: Mapped[int] = mapped_column(ForeignKey("mentions.id", ondelete="CASCADE"), primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    encoder: Mapped[str] = mapped_column(String(16))  # which vectors: "e5+use"
    vector: Mapped[bytes] = mapped_column(LargeBinary)  # ecoute.topics.packing
