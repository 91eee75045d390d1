"""One pending "Connect with <platform>": created when an admin starts it, consumed (deleted) when
the platform sends them back, whatever the outcome. Only a digest of ``state`` is kept, so a copy
of the table does not let anyone finish someone else's flow; the PKCE verifier is sealed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ecoute.store.models import Base
from ecoute.store.types import utcnow


class OAuthState(Base):
    """Bound to the person who started it, their workspace, and either the source to reconnect
    (``source_id``) or the source to create (``pending``: its name, brand and plain settings)."""

    __tablename__ = "oauth_states"

    id: Mapped[int] = mapped_column(primary_key=True)
    state_digest: Mapped[str] = mapped_column(String(64), unique=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    pending: Mapped[dict[str, Any]] = mapped_column(default=dict)
    verifier_sealed: Mapped[str | None] = mapped_column(Text)
    expires_at: Mapped[datetime] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OAuthChoice(Base):
    """What a platform listed after consent for the admin to pick from (Meta: their Pages, each
    with its Page token), sealed, until they pick one: one per person and workspace (a newer flow
    replaces it), used once, for ten minutes at most. The browser never holds it: the choice page
    reads it for whoever is signed in."""

    __tablename__ = "oauth_choices"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    pending: Mapped[dict[str, Any]] = mapped_column(default=dict)
    choices_sealed: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
