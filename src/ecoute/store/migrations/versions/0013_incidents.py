"""incidents: incidents, their linked conversations, their timeline and their personal updates

Revision ID: incidents
Revises: topics_mention_vectors
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

from ecoute.store.types import JSONType, UTCDateTime

revision = "incidents"
down_revision = "topics_mention_vectors"
branch_labels = None
depends_on = None


def _workspace() -> sa.Column:
    return sa.Column(
        "workspace_id", sa.Integer(), sa.ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False
    )


def _user(name: str) -> sa.Column:
    return sa.Column(name, sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True)


def upgrade() -> None:
    op.create_table(
        "incidents",
        sa.Column("id", sa.Integer(), primary_key=True),
        _workspace(),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("brand_id", sa.Integer(), sa.ForeignKey("brands.id", ondelete="SET NULL"), nullable=True),
        sa.Column("terms", JSONType, nullable=False),
        sa.Column("alert_id", sa.Integer(), sa.ForeignKey("alerts.id", ondelete="SET NULL"), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("next_update_at", UTCDateTime(), nullable=True),
        sa.Column("update_round", sa.String(40), nullable=True),
        _user("opened_by_id"),
        sa.Column("resolved_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_incidents_ws_status", "incidents", ["workspace_id", "status"])
    op.create_table(
        "incident_links",
        sa.Column(
            "incident_id", sa.Integer(), sa.ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column(
            "conversation_id",
            sa.Integer(),
            sa.ForeignKey("conversations.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        _workspace(),
        sa.Column("how", sa.String(12), nullable=False),
        sa.Column("removed", sa.Boolean(), nullable=False),
        sa.Column("linked_at", UTCDateTime(), nullable=False),
    )
    op.create_index(
        "ix_incident_links_ws_conversation", "incident_links", ["workspace_id", "conversation_id"]
    )
    op.create_table(
        "incident_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        _workspace(),
        sa.Column(
            "incident_id", sa.Integer(), sa.ForeignKey("incidents.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("lang", sa.String(8), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        _user("user_id"),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index(
        "ix_incident_events_ws_incident", "incident_events", ["workspace_id", "incident_id", "created_at"]
    )
    op.create_table(
        "incident_updates",
        sa.Column("id", sa.Integer(), primary_key=True),
        _workspace(),
        sa.Column(
            "incident_id", sa.Integer(), sa.ForeignKey("incidents.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "conversation_id",
            sa.Integer(),
            sa.ForeignKey("conversations.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("round", sa.String(40), nullable=False),
        sa.Column(
            "mention_id", sa.Integer(), sa.ForeignKey("mentions.id", ondelete="SET NULL"), nullable=True
        ),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("selected", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("scheduled_at", UTCDateTime(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("reply_id", sa.Integer(), sa.ForeignKey("replies.id", ondelete="SET NULL"), nullable=True),
        _user("approved_by_id"),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("incident_id", "conversation_id", "round", name="uq_incident_updates_round"),
    )
    op.create_index(
        "ix_incident_updates_ws_incident", "incident_updates", ["workspace_id", "incident_id", "round"]
    )


def downgrade() -> None:
    op.drop_table("incident_updates")
    op.drop_table("incident_events")
    op.drop_table("incident_links")
    op.drop_table("incidents")
