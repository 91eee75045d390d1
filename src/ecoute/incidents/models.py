"""The incidents tables: the incident, its linked conversations, its timeline and its personal
updates (one per affected conversation and update round)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ecoute.store.models import Base
from ecoute.store.types import utcnow

STATUSES = ("investigating", "identified", "monitoring", "resolved")
KINDS = ("outage", "impersonation")


class Incident(Base):
    __tablename__ = "incidents"
    __table_args__ = (Index("ix_incidents_ws_status", "workspace_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16), default="outage")
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")  # what happened, in the team's words
    action: Mapped[str] = mapped_column(Text, default="")  # what is being done about it
    brand_id: Mapped[int | None] = mapped_column(ForeignKey("brands.id", ondelete="SET NULL"))
    terms: Mapped[list[Any]] = mapped_column(default=list)
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alerts.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16), default="investigating")
    started_at: Mapped[datetime] = mapped_column()  # the alert's start, else the opening
    next_update_at: Mapped[datetime | None] = mapped_column()
    # The personal updates offered now: the status they were prepared for ("identified", or
    # "identified-2" when the team asked to write again to those already updated).
    update_round: Mapped[str | None] = mapped_column(String(40))
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    resolved_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class IncidentLink(Base):
    """A conversation the incident affects; unlinked by hand it stays, ``removed``, so the linking
    job does not bring it back."""

    __tablename__ = "incident_links"
    __table_args__ = (Index("ix_incident_links_ws_conversation", "workspace_id", "conversation_id"),)

    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    how: Mapped[str] = mapped_column(String(12))  # alert, terms, contacted, hand
    removed: Mapped[bool] = mapped_column(Boolean, default=False)
    linked_at: Mapped[datetime] = mapped_column(default=utcnow)


class IncidentEvent(Base):
    """The timeline: a status change or a public statement, with who and when."""

    __tablename__ = "incident_events"
    __table_args__ = (Index("ix_incident_events_ws_incident", "workspace_id", "incident_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(12))  # opened, status, statement
    status: Mapped[str] = mapped_column(String(16))  # the incident's status at that moment
    lang: Mapped[str | None] = mapped_column(String(8))
    body: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PersonalUpdate(Base):
    """One personal reply to one affected conversation for one update round. ``reply_id`` is set
    once it went into the reply pipeline; the reply's own status says where it is."""

    __tablename__ = "incident_updates"
    __table_args__ = (
        UniqueConstraint("incident_id", "conversation_id", "round", name="uq_incident_updates_round"),
        Index("ix_incident_updates_ws_incident", "workspace_id", "incident_id", "round"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    round: Mapped[str] = mapped_column(String(40))
    # The message answered: the affected customer's, not the brand's nor a bystander's.
    mention_id: Mapped[int | None] = mapped_column(ForeignKey("mentions.id", ondelete="SET NULL"))
    lang: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)
    selected: Mapped[bool] = mapped_column(Boolean, default=True)
    # draft → queued (approved, its job on the queue) → handed (its reply exists) or failed
    state: Mapped[str] = mapped_column(String(10), default="draft")
    scheduled_at: Mapped[datetime | None] = mapped_column()
    error: Mapped[str | None] = mapped_column(Text)
    reply_id: Mapped[int | None] = mapped_column(ForeignKey("replies.id", ondelete="SET NULL"))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
