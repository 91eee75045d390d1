"""Tables of the reply helpers: saved replies (snippets with variables) and knowledge snippets,
both per workspace and language (``workspace_id`` first in every index)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ecoute.store.models import Base
from ecoute.store.types import utcnow


class SavedReply(Base):
    """A reply the team wrote once and reuses, with variables such as ``{first_name}``."""

    __tablename__ = "saved_replies"
    __table_args__ = (
        UniqueConstraint("workspace_id", "lang", "name"),
        Index("ix_saved_replies_ws_lang", "workspace_id", "lang", "intent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    lang: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    # Which kind of message it suits (complaint/question/praise/other), empty for any.
    intent: Mapped[str | None] = mapped_column(String(12))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class KnowledgeSnippet(Base):
    """A fact drafts may quote to answer a question: a title (the question), keywords, an answer."""

    __tablename__ = "knowledge_snippets"
    __table_args__ = (Index("ix_knowledge_snippets_ws_lang", "workspace_id", "lang"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    # None: suits any language (a phone number, a link).
    lang: Mapped[str | None] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(300))
    keywords: Mapped[list[Any]] = mapped_column(default=list)
    answer: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


from ecoute.store import reply_models as _reply_models  # noqa: E402, F401
