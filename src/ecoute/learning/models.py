"""Versions of a workspace's analysis heads, in the database so that every web process and every
worker, on any machine, uses the same heads (each keeps a copy on its own disk, ``retrain.sync``).

Every retraining attempt is a row: ``kept`` rows carry the heads (weights and meta, a few dozen
kilobytes); ``rejected`` ones only their figures, so the settings page can say why the heads in use
were not replaced."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ecoute.store.models import Base
from ecoute.store.types import utcnow


class HeadsVersion(Base):
    __tablename__ = "heads_versions"
    __table_args__ = (UniqueConstraint("workspace_id", "version", name="uq_heads_versions_ws_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column()
    status: Mapped[str] = mapped_column(String(10))  # kept | rejected
    reason: Mapped[str] = mapped_column(Text, default="")
    corrections: Mapped[int] = mapped_column()  # corrected posts the attempt learnt from
    scores: Mapped[dict[str, Any]] = mapped_column(default=dict)  # head -> {new, previous, held_out}
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    meta: Mapped[str | None] = mapped_column(Text)  # model.json, for kept versions
    weights: Mapped[bytes | None] = mapped_column(LargeBinary)  # heads.npz, for kept versions
