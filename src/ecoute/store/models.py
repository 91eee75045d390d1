"""The data model: Workspace → Brand / Source → Mention ← Author, grouped into Conversations.

Every table but ``users`` carries ``workspace_id``; repositories always filter on it.
The full-text index over mention text is created by the migrations (FTS5 on SQLite, a
generated ``tsvector`` on PostgreSQL) because it is dialect-specific.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from ecoute.store.types import JSONType, UTCDateTime, utcnow

MENTION_KINDS = ("post", "comment", "reply", "review")
CONVERSATION_STATUSES = ("new", "open", "pending", "resolved")
INBOX_ORDER = ("priority", "last_mention_at", "id", "status")
ROLES = ("owner", "admin", "agent", "viewer")


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSONType, list[Any]: JSONType}


class Workspace(Base):
    __tablename__ = "workspaces"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    locale: Mapped[str] = mapped_column(String(8), default="fr")
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Paris")
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    locale: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column()
    disabled_at: Mapped[datetime | None] = mapped_column()


class Membership(Base):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("workspace_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Brand(Base):
    """A brand the workspace listens for, or one of its competitors (``competitor_of_id`` set)."""

    __tablename__ = "brands"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    query: Mapped[str] = mapped_column(Text, default="")
    handles: Mapped[list[Any]] = mapped_column(default=list)
    competitor_of_id: Mapped[int | None] = mapped_column(ForeignKey("brands.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def is_competitor(self) -> bool:
        return self.competitor_of_id is not None


class Source(Base):
    __tablename__ = "sources"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    platform: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(32))
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    cursor: Mapped[dict[str, Any]] = mapped_column(default=dict)
    health: Mapped[str] = mapped_column(String(16), default="new")
    last_error: Mapped[str | None] = mapped_column(Text)
    consecutive_failures: Mapped[int] = mapped_column(default=0)
    last_run_at: Mapped[datetime | None] = mapped_column()
    last_success_at: Mapped[datetime | None] = mapped_column()
    # When the scheduler polls it next (None: as soon as it can), every ``poll_interval_s`` with
    # jitter, later after failures (back-off, or the platform's Retry-After); paused: never.
    poll_interval_s: Mapped[int] = mapped_column(default=300)
    next_poll_at: Mapped[datetime | None] = mapped_column()
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Author(Base):
    __tablename__ = "authors"
    __table_args__ = (UniqueConstraint("workspace_id", "platform", "handle"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(32))
    handle: Mapped[str] = mapped_column(String(200))
    display_name: Mapped[str | None] = mapped_column(String(200))
    followers: Mapped[int | None] = mapped_column(Integer)
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Conversation(Base):
    """A thread (same root post) or, for loose posts, everything one author said on a platform."""

    __tablename__ = "conversations"
    __table_args__ = (
        UniqueConstraint("workspace_id", "key"),
        Index("ix_conversations_inbox", "workspace_id", "status", "priority", "last_mention_at"),
        # The inbox order (priority, newest, id) then the status, which the walk tests in the index:
        # across labels, for one assignee, and for one sentiment or intent (positive and praise sit
        # at the bottom of the priority order, so they get a walk of their own).
        Index("ix_conversations_ws_order", "workspace_id", *INBOX_ORDER),
        Index("ix_conversations_ws_assignee_order", "workspace_id", "assignee_id", *INBOX_ORDER),
        Index("ix_conversations_ws_sentiment", "workspace_id", "sentiment", *INBOX_ORDER),
        Index("ix_conversations_ws_intent", "workspace_id", "intent", *INBOX_ORDER),
        Index("ix_conversations_ws_author", "workspace_id", "author_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(400))
    platform: Mapped[str] = mapped_column(String(32))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("authors.id"))
    status: Mapped[str] = mapped_column(String(16), default="new")
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    priority: Mapped[int] = mapped_column(default=0)
    needs_reply: Mapped[bool] = mapped_column(Boolean, default=False)
    mention_count: Mapped[int] = mapped_column(default=0)
    first_mention_at: Mapped[datetime] = mapped_column()
    last_mention_at: Mapped[datetime] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Summary of the mention that drives the priority (denormalised for the inbox list; may be
    # empty on rows written before it was maintained: ecoute.inbox.summary refreshes it).
    top_mention_id: Mapped[int | None] = mapped_column(Integer)
    sentiment: Mapped[str | None] = mapped_column(String(10))
    intent: Mapped[str | None] = mapped_column(String(12))
    lang: Mapped[str | None] = mapped_column(String(8))


class Tag(Base):
    __tablename__ = "tags"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(80))
    color: Mapped[str | None] = mapped_column(String(16))


class ConversationTag(Base):
    __tablename__ = "conversation_tags"
    __table_args__ = (
        Index("ix_conversation_tags_ws_tag", "workspace_id", "tag_id"),
        Index("ix_conversation_tags_ws_conversation", "workspace_id", "conversation_id", "tag_id"),
    )

    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))


class Mention(Base):
    __tablename__ = "mentions"
    __table_args__ = (
        UniqueConstraint("workspace_id", "platform", "external_id", name="uq_mentions_external"),
        Index("ix_mentions_ws_created", "workspace_id", "created_at"),
        # A thread in order, and "does this conversation have a mention that …" probes.
        Index("ix_mentions_ws_conversation", "workspace_id", "conversation_id", "created_at", "id"),
        Index("ix_mentions_ws_author", "workspace_id", "author_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id", ondelete="SET NULL"))
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("authors.id"))
    platform: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(256))
    url: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(16), default="post")
    rating: Mapped[float | None] = mapped_column(Float)
    parent_external_id: Mapped[str | None] = mapped_column(String(256))
    thread_external_id: Mapped[str | None] = mapped_column(String(256))
    likes: Mapped[int] = mapped_column(default=0)
    shares: Mapped[int] = mapped_column(default=0)
    replies_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column()
    collected_at: Mapped[datetime] = mapped_column(default=utcnow)
    raw: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Annotations written by ecoute.analysis (empty until analysed).
    lang: Mapped[str | None] = mapped_column(String(8))
    sentiment: Mapped[str | None] = mapped_column(String(10))
    sentiment_score: Mapped[float | None] = mapped_column(Float)
    intent: Mapped[str | None] = mapped_column(String(12))
    needs_reply: Mapped[bool | None] = mapped_column(Boolean)
    priority: Mapped[int | None] = mapped_column(Integer)
    reasons: Mapped[list[Any]] = mapped_column(default=list)
    analysis: Mapped[dict[str, Any]] = mapped_column(default=dict)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)


class MentionBrand(Base):
    """Which brand or competitor a mention is about (decided by the brands' listening queries)."""

    __tablename__ = "mention_brands"
    __table_args__ = (Index("ix_mention_brands_ws_brand", "workspace_id", "brand_id"),)

    mention_id: Mapped[int] = mapped_column(ForeignKey("mentions.id", ondelete="CASCADE"), primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"), primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))


class Reply(Base):
    __tablename__ = "replies"
    __table_args__ = (UniqueConstraint("workspace_id", "idempotency_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"), index=True)
    in_reply_to_id: Mapped[int | None] = mapped_column(ForeignKey("mentions.id"))
    author_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    idempotency_key: Mapped[str] = mapped_column(String(64))
    platform_reply_id: Mapped[str | None] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column()


class AuditEvent(Base):
    """Append-only record of privileged actions: who, what, when, before and after."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_ws_created", "workspace_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(80))
    target_type: Mapped[str | None] = mapped_column(String(40))
    target_id: Mapped[str | None] = mapped_column(String(80))
    before: Mapped[dict[str, Any]] = mapped_column(default=dict)
    after: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# The people and triage tables live in their own module; importing it here puts them on
# ``Base.metadata`` for migrations and for anyone who imports this module.
from ecoute.auth import models as _auth  # noqa: E402, F401
from ecoute.digests import models as _digests  # noqa: E402, F401
from ecoute.incidents import models as _incidents  # noqa: E402, F401
from ecoute.insights import report_models as _report_models  # noqa: E402, F401
from ecoute.jobs import models as _jobs  # noqa: E402, F401
from ecoute.keep_time import notices as _keep_time_notices  # noqa: E402, F401
from ecoute.learning import models as _learning  # noqa: E402, F401
from ecoute.sources.connect import models as _connect  # noqa: E402, F401
from ecoute.store import people as _people  # noqa: E402, F401
from ecoute.topics import models as _topics  # noqa: E402, F401
from ecoute.warn import models as _warn  # noqa: E402, F401
